# cython: language_level=3
"""Clamping with fmin/fmax and an exp decay; results are doubles."""
from libc.math cimport fmin, fmax, exp


def clamped_decay(int n, double lo, double hi):
    cdef double total = 0.0, v
    cdef int i
    for i in range(n):
        v = exp(-i * 0.1) * 10.0
        total += fmin(fmax(v, lo), hi)
    return round(total, 9), fmax(1, 2), fmin(3, 4)
