# cython: language_level=3
"""Rotate a double buffer left by k using memcpy into scratch space."""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy


def rotate_checksum(int n, int k, int seed):
    cdef double* data = <double*>malloc(n * sizeof(double))
    cdef double* tmp = <double*>malloc(n * sizeof(double))
    cdef int i
    cdef long long state = seed
    for i in range(n):
        state = (state * 48271) % 2147483647
        data[i] = (state % 1000) / 10.0
    k = k % n
    memcpy(tmp, data + k, (n - k) * sizeof(double))
    memcpy(tmp + (n - k), data, k * sizeof(double))
    memcpy(data, tmp, n * sizeof(double))
    cdef double acc = 0.0
    for i in range(n):
        acc += data[i] * (i + 1)
    cdef double first = data[0]
    free(data)
    free(tmp)
    return round(acc, 6), first
