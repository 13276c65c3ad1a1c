# cython: language_level=3
"""Histogram of a skewed distribution in a calloc'd long array."""
from libc.stdlib cimport calloc, free


def skewed_histogram(int n, int nbins, int seed):
    cdef long* bins = <long*>calloc(nbins, sizeof(long))
    cdef int i, b
    cdef long long state = seed
    cdef long peak = 0, nonempty = 0
    if not bins:
        raise MemoryError()
    for i in range(n):
        state = (state * 1103515245 + 12345) % 2147483648
        b = <int>((state % 1000) * (state % 1000) % nbins)
        bins[b] += 1
    for i in range(nbins):
        if bins[i] > peak:
            peak = bins[i]
        if bins[i] != 0:
            nonempty += 1
    free(bins)
    return peak, nonempty
