# cython: language_level=3
"""Row permutation of a flat matrix, copying rows with memcpy."""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy


def permute_rows(int rows, int cols, int seed):
    cdef double* src = <double*>malloc(rows * cols * sizeof(double))
    cdef double* dst = <double*>malloc(rows * cols * sizeof(double))
    cdef int r, c, target
    for r in range(rows):
        for c in range(cols):
            src[r * cols + c] = r * 0.5 + c * 0.25
    for r in range(rows):
        target = (r * seed + 3) % rows
        memcpy(&dst[target * cols], &src[r * cols], cols * sizeof(double))
    cdef double trace = 0.0
    for r in range(min(rows, cols)):
        trace += dst[r * cols + r] * (r + 1)
    free(src)
    free(dst)
    return trace
