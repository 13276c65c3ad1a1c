# cython: language_level=3
"""Mean and variance written through double* output parameters."""
from libc.stdlib cimport malloc, free


cdef void mean_var(double* x, int n, double* mean, double* var):
    cdef double s = 0.0, ss = 0.0
    cdef int i
    for i in range(n):
        s += x[i]
    mean[0] = s / n
    for i in range(n):
        ss += (x[i] - mean[0]) * (x[i] - mean[0])
    var[0] = ss / n


def sample_stats(int n, int seed):
    cdef double* xs = <double*>malloc(n * sizeof(double))
    cdef double m, v
    cdef int i
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        xs[i] = (state >> 8) % 1000 / 10.0
    mean_var(xs, n, &m, &v)
    free(xs)
    return round(m, 9), round(v, 6)
