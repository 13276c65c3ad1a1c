# cython: language_level=3
"""Minimum and maximum returned through int* output parameters."""


cdef void min_max(int* values, int n, int* lo, int* hi):
    cdef int i
    lo[0] = values[0]
    hi[0] = values[0]
    for i in range(1, n):
        if values[i] < lo[0]:
            lo[0] = values[i]
        if values[i] > hi[0]:
            hi[0] = values[i]


def spread(int n, int seed):
    cdef int data[200]
    cdef int i, lo, hi
    cdef int state = seed
    if n > 200:
        n = 200
    for i in range(n):
        state = (state * 1103 + 12345) % 65536
        data[i] = state % 1000 - 300
    min_max(data, n, &lo, &hi)
    return lo, hi, hi - lo
