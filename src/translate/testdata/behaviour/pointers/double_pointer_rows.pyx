# cython: language_level=3
"""A double** matrix: malloc'd row pointers, each row malloc'd."""
from libc.stdlib cimport malloc, free


def matrix_trace_product(int n, int seed):
    cdef double** m = <double**>malloc(n * sizeof(double*))
    cdef int i, j
    for i in range(n):
        m[i] = <double*>malloc(n * sizeof(double))
        for j in range(n):
            m[i][j] = ((i * n + j) * seed % 17) * 0.5
    cdef double trace = 0.0, off = 0.0
    for i in range(n):
        trace += m[i][i]
        off += m[i][n - 1 - i]
    for i in range(n):
        free(m[i])
    free(m)
    return trace, off
