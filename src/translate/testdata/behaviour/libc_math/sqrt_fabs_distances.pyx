# cython: language_level=3
"""Euclidean and Manhattan distances with sqrt and fabs."""
from libc.math cimport sqrt, fabs


def path_lengths(int n, int seed):
    cdef double x = 0.0, y = 0.0, nx, ny, euclid = 0.0, manhattan = 0.0
    cdef int i
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        nx = ((state >> 16) % 200 - 100) / 10.0
        state = state * 1103515245 + 12345
        ny = ((state >> 16) % 200 - 100) / 10.0
        euclid += sqrt((nx - x) * (nx - x) + (ny - y) * (ny - y))
        manhattan += fabs(nx - x) + fabs(ny - y)
        x = nx
        y = ny
    return round(euclid, 6), round(manhattan, 6)
