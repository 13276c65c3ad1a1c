"""Numerical integration of fixed functions with the GIL released.

Keywords: numerical integration, nogil, libc.math
"""
from libc.math cimport sin, exp, M_PI


cdef double _gaussian(double x) nogil:
    return exp(-x * x / 2.0)


cdef double trapezoid_gaussian(double a, double b, int steps) nogil:
    cdef double h = (b - a) / steps
    cdef double acc = 0.5 * (_gaussian(a) + _gaussian(b))
    cdef int i
    for i in range(1, steps):
        acc += _gaussian(a + i * h)
    return acc * h


def gaussian_area(double a, double b, int steps=1000):
    """Integrate exp(-x^2/2) over [a, b] with the trapezoid rule."""
    cdef double result
    if steps <= 0:
        raise ValueError("steps must be positive")
    with nogil:
        result = trapezoid_gaussian(a, b, steps)
    return result


def sine_area(int steps=1000):
    """Integrate sin over [0, pi] with the midpoint rule; close to 2.0."""
    cdef double h = M_PI / steps
    cdef double acc = 0.0
    cdef int i
    with nogil:
        for i in range(steps):
            acc += sin((<double>i + 0.5) * h)
    return acc * h
