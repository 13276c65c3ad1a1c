# cython: language_level=3
"""Rotate-left mixing of uint32_t words (as in hash and cipher kernels)."""
from libc.stdint cimport uint32_t


cdef inline uint32_t rotl32(uint32_t x, int r):
    return (x << r) | (x >> (32 - r))


def mix_rounds(int rounds, uint32_t a, uint32_t b):
    cdef int i
    cdef uint32_t golden = 0x9E3779B1
    for i in range(rounds):
        a += b
        b = rotl32(b, 7) ^ a
        a = rotl32(a, 16)
        b *= golden
    return a, b
