# cython: language_level=3
"""Per-round accumulators in a double array reset with memset each round."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset


def round_maxima(int rounds, int width, int seed):
    cdef double* acc = <double*>malloc(width * sizeof(double))
    cdef int r, i, k
    cdef unsigned int state = seed
    cdef double best_total = 0.0, m
    for r in range(rounds):
        memset(acc, 0, width * sizeof(double))
        for k in range(width * 3):
            state = state * 1664525 + 1013904223
            acc[(state >> 10) % width] += (state % 100) * 0.01
        m = acc[0]
        for i in range(1, width):
            if acc[i] > m:
                m = acc[i]
        best_total += m
    free(acc)
    return round(best_total, 9)
