# cython: language_level=3
"""Max/min trackers declared without values and set on the first iteration."""


def extremes(int n, int seed):
    cdef double lo, hi, v
    cdef int i, argmin
    for i in range(n):
        v = ((i * seed) % 97) * 0.25 - 10.0
        if i == 0 or v < lo:
            lo = v
            argmin = i
        if i == 0 or v > hi:
            hi = v
    return lo, hi, argmin
