# cython: language_level=3
"""Numerical Recipes LCG in unsigned int: the multiply wraps modulo 2**32."""


cdef unsigned int next_state(unsigned int s):
    return s * 1664525 + 1013904223


def lcg_summary(int n, unsigned int seed):
    cdef unsigned int s = seed
    cdef unsigned int lo = 0xFFFFFFFF, hi = 0
    cdef int i
    cdef unsigned long long total = 0
    for i in range(n):
        s = next_state(s)
        total += s >> 16
        if s < lo:
            lo = s
        if s > hi:
            hi = s
    return s, lo, hi, total
