# cython: language_level=3
# cython: cdivision=True
"""Digit sums of negative numbers: C '%' and '/' truncate toward zero."""


cdef int digit_sum(long long v):
    cdef int s = 0
    while v != 0:
        s += v % 10
        v = v / 10
    return s


def digit_sums(int n, int seed):
    cdef long long state = seed, v
    cdef long long total = 0
    cdef int i, neg = 0
    for i in range(n):
        state = (state * 48271) % 2147483647
        v = state - 1073741823
        if digit_sum(v) < 0:
            neg += 1
        total += digit_sum(v)
    return total, neg
