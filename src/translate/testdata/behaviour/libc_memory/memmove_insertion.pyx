# cython: language_level=3
"""Insertion into a sorted buffer, shifting the tail with memmove."""
from libc.stdlib cimport malloc, free
from libc.string cimport memmove


def sorted_inserts(int n, int seed):
    cdef int* a = <int*>malloc((n + 1) * sizeof(int))
    cdef int size = 0, i, pos, v
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 22695477 + 1
        v = (state >> 8) % 1000
        pos = 0
        while pos < size and a[pos] < v:
            pos += 1
        memmove(&a[pos + 1], &a[pos], (size - pos) * sizeof(int))
        a[pos] = v
        size += 1
    cdef long weighted = 0
    for i in range(size):
        weighted += a[i] * (i % 7)
    cdef int lo = a[0], hi = a[size - 1]
    free(a)
    return lo, hi, weighted
