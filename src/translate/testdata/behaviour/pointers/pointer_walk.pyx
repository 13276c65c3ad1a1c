# cython: language_level=3
"""Sum a buffer by walking a pointer with p += 1 until the end pointer."""
from libc.stdlib cimport malloc, free


def walk_sum(int n, int seed):
    cdef int* data = <int*>malloc(n * sizeof(int))
    cdef int* p
    cdef int* end
    cdef int i
    cdef long total = 0, alternating = 0
    for i in range(n):
        data[i] = (i * seed) % 97
    p = data
    end = data + n
    i = 0
    while p < end:
        total += p[0]
        if i % 2 == 0:
            alternating += p[0]
        else:
            alternating -= p[0]
        p += 1
        i += 1
    free(data)
    return total, alternating
