# cython: language_level=3
"""Prefix sums in a malloc'd long long* indexed like an array; range queries."""
from libc.stdlib cimport malloc, free


def range_queries(int n, int q, int seed):
    cdef long long* prefix = <long long*>malloc((n + 1) * sizeof(long long))
    cdef int i, a, b, t
    cdef unsigned int state = seed
    cdef long long answer = 0
    prefix[0] = 0
    for i in range(n):
        state = state * 1103515245 + 12345
        prefix[i + 1] = prefix[i] + (state >> 16) % 100
    for i in range(q):
        state = state * 1103515245 + 12345
        a = (state >> 8) % n
        state = state * 1103515245 + 12345
        b = (state >> 8) % n
        if a > b:
            t = a
            a = b
            b = t
        answer += prefix[b + 1] - prefix[a]
    free(prefix)
    return answer
