# cython: language_level=3
"""Areas and circumferences with M_PI from libc.math."""
from libc.math cimport M_PI


def circle_totals(int n, int seed):
    cdef double area = 0.0, circ = 0.0, r
    cdef int i
    for i in range(n):
        r = ((i * seed) % 13 + 1) * 0.5
        area += M_PI * r * r
        circ += 2 * M_PI * r
    return round(area, 6), round(circ, 6)
