# cython: language_level=3
"""C round() rounds halves away from zero and returns a double."""
from libc.math cimport round, lround, trunc


def rounding_table(int n):
    cdef double total_round = 0.0, total_trunc = 0.0, v
    cdef long total_lround = 0
    cdef int i
    for i in range(n):
        v = (i - n / 2.0) * 0.5
        total_round += round(v) * (i + 1)
        total_lround += lround(v) * (i + 1)
        total_trunc += trunc(v)
    return total_round, total_lround, total_trunc, round(2.5), round(-2.5)
