# cython: language_level=3
"""Byte histogram of an LCG stream with a zeroed C array."""
from libc.string cimport memset


def byte_histogram(int n, int seed):
    cdef int counts[256]
    cdef unsigned int state = seed
    cdef int i, best = 0
    memset(counts, 0, sizeof(counts))
    for i in range(n):
        state = state * 1103515245 + 12345
        counts[(state >> 16) & 255] += 1
    cdef long total = 0
    for i in range(256):
        total += counts[i] * counts[i]
        if counts[i] > counts[best]:
            best = i
    return best, counts[best], total
