# cython: language_level=3, cdivision=True
"""Polynomial hash of signed values with C remainder semantics."""


def signed_hash(int n, int m, int seed):
    cdef long long h = 0
    cdef int i, v
    cdef int state = seed
    for i in range(n):
        state = (state * 171) % 30269
        v = state % 1000 - 500
        h = (h * 31 + v) % m
    return h
