# cython: language_level=3
"""Phase wrapping with fmod (sign of the dividend, unlike Python's %)."""
from libc.math cimport fmod, M_PI, fabs


def wrapped_phases(int n, double step, int seed):
    cdef double phase = 0.0, acc = 0.0, w
    cdef int i, negative = 0
    for i in range(n):
        phase += step * (1 if (i * seed) % 3 else -2)
        w = fmod(phase, 2 * M_PI)
        if w < 0:
            negative += 1
        acc += fabs(w)
    return round(acc, 9), negative
