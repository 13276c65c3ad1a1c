# cython: language_level=3
"""Signed char arithmetic: bytes above 127 read back negative."""


def signed_byte_sum(int n, int seed):
    cdef char c
    cdef signed char s
    cdef long total = 0, negatives = 0
    cdef int i
    for i in range(n):
        c = (i * seed + 100) % 256
        s = <signed char>((i * 37) & 0xFF)
        total += c + s
        if c < 0:
            negatives += 1
    return total, negatives
