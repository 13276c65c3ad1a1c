# cython: language_level=3
"""Copy a C int array with memcpy and compare running sums."""
from libc.string cimport memcpy

DEF CAP = 64


def copy_and_mutate(int n, int seed):
    cdef int src[CAP]
    cdef int dst[CAP]
    cdef int i
    cdef int state = seed
    if n > CAP:
        n = CAP
    for i in range(n):
        state = (state * 75 + 74) % 65537
        src[i] = state % 100 - 50
    memcpy(dst, src, n * sizeof(int))
    for i in range(n):
        dst[i] = dst[i] * 2 + 1
    cdef long s1 = 0, s2 = 0
    for i in range(n):
        s1 += src[i]
        s2 += dst[i]
    return s1, s2, src[n - 1], dst[n - 1]
