# cython: language_level=3
"""floor and ceil of doubles (which return doubles) used for binning."""
from libc.math cimport floor, ceil


def binning(int n, double width, int seed):
    cdef int i, lo_bin, hi_bin
    cdef double v, fl_sum = 0.0
    cdef long spread = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 69069 + 1
        v = ((state >> 8) % 20000 - 10000) / 100.0
        lo_bin = <int>floor(v / width)
        hi_bin = <int>ceil(v / width)
        spread += hi_bin - lo_bin
        fl_sum += floor(v)
    return spread, fl_sum
