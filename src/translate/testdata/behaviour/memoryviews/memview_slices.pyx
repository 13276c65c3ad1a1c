# cython: language_level=3
"""Memoryview slice copies: dst[a:b] = src[c:d] between two cvarrays."""
from cython.view cimport array as cvarray


def slice_shuffle(int n, int block, int seed):
    cdef long[:] src = cvarray(shape=(n,), itemsize=sizeof(long), format="l")
    cdef long[:] dst = cvarray(shape=(n,), itemsize=sizeof(long), format="l")
    cdef int i, b, nblocks = n // block
    for i in range(n):
        src[i] = (i * seed) % 101
        dst[i] = -1
    for b in range(nblocks):
        dst[b * block:(b + 1) * block] = src[(nblocks - 1 - b) * block:(nblocks - b) * block]
    cdef long digest = 0
    for i in range(n):
        digest = (digest * 31 + dst[i] + 1) % 1000000007
    return digest
