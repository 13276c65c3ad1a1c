# cython: language_level=3
"""Reverse the order of fixed-size chunks of a byte buffer via memcpy."""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy


def reverse_chunks(int nchunks, int size, int seed):
    cdef int n = nchunks * size
    cdef unsigned char* data = <unsigned char*>malloc(n)
    cdef unsigned char* out = <unsigned char*>malloc(n)
    cdef int i
    cdef unsigned int h = 2166136261
    for i in range(n):
        data[i] = (i * seed + 11) % 251
    for i in range(nchunks):
        memcpy(out + (nchunks - 1 - i) * size, data + i * size, size)
    for i in range(n):
        h = (h ^ out[i]) * 16777619
    free(data)
    free(out)
    return h, n
