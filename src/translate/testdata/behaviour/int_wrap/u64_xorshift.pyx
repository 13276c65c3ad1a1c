# cython: language_level=3
"""xorshift64 generator with uint64_t shifts that drop high bits."""
from libc.stdint cimport uint64_t


def xorshift_stream(int n, uint64_t seed):
    cdef uint64_t x = seed
    cdef uint64_t acc = 0
    cdef int i, odd = 0
    for i in range(n):
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        acc += x
        if x & 1:
            odd += 1
    return x, acc, odd
