# cython: language_level=3
"""Differences of unsigned ints wrap instead of going negative."""


def wrapped_differences(int n, int seed):
    cdef unsigned int a, b, d
    cdef unsigned long long total = 0
    cdef int i, wrapped = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        a = (state >> 16) % 1000
        state = state * 1103515245 + 12345
        b = (state >> 16) % 1000
        d = a - b
        if d > a:
            wrapped += 1
        total += d
    return total, wrapped
