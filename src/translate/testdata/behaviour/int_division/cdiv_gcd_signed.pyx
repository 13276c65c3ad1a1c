# cython: language_level=3
# cython: cdivision=True
"""Euclid on signed ints: C remainder keeps the sign of the dividend."""


cdef long gcd_c(long a, long b):
    cdef long t
    while b != 0:
        t = a % b
        a = b
        b = t
    return a


def gcd_signature(int n, int seed):
    cdef long total = 0, a, b, g
    cdef int i, negatives = 0
    cdef long state = seed
    for i in range(n):
        state = (state * 16807) % 2147483647
        a = state % 2000 - 1000
        state = (state * 16807) % 2147483647
        b = state % 300 - 150
        g = gcd_c(a, b)
        if g < 0:
            negatives += 1
        total += g
    return total, negatives
