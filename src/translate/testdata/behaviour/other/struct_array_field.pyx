# cython: language_level=3
"""Structs with a C array field: 3-vectors, dot products and norms."""
from libc.math cimport sqrt


cdef struct Vec3:
    double c[3]


cdef double dot3(Vec3 a, Vec3 b):
    return a.c[0] * b.c[0] + a.c[1] * b.c[1] + a.c[2] * b.c[2]


def vector_stats(int n, int seed):
    cdef Vec3 a, b
    cdef int i, k
    cdef double total = 0.0
    for i in range(n):
        for k in range(3):
            a.c[k] = ((i + k) * seed % 11) - 5.0
            b.c[k] = ((i * k + seed) % 7) - 3.0
        total += dot3(a, b) / (1.0 + sqrt(dot3(a, a)))
    return round(total, 9)
