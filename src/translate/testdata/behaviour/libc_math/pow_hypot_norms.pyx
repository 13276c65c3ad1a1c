# cython: language_level=3
"""p-norms with pow and 2-D norms with hypot."""
from libc.math cimport pow, hypot, sqrt


def norms(int n, double p, int seed):
    cdef double acc = 0.0, h = 0.0, a, b
    cdef int i
    for i in range(n):
        a = ((i * seed) % 19) * 0.25
        b = ((i + seed) % 7) * 0.5
        acc += pow(a, p)
        h += hypot(a, b)
    return round(pow(acc, 1.0 / p), 9), round(h, 9), sqrt(16.0)
