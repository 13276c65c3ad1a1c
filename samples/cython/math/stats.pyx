# cython: boundscheck=False, wraparound=False
"""Descriptive statistics over typed memoryviews of doubles.

Keywords: statistics, memoryview, libc.math
"""
from libc.math cimport sqrt, fabs
cimport cython


cpdef double mean(double[:] values):
    """Arithmetic mean; 0.0 for an empty input."""
    cdef Py_ssize_t i, n = values.shape[0]
    cdef double total = 0.0
    if n == 0:
        return 0.0
    for i in range(n):
        total += values[i]
    return total / n


cpdef double variance(double[:] values):
    """Population variance."""
    cdef Py_ssize_t i
    cdef Py_ssize_t n = values.shape[0]
    cdef double m = mean(values)
    cdef double acc = 0.0
    if n == 0:
        return 0.0
    for i in range(n):
        acc += (values[i] - m) * (values[i] - m)
    return acc / n


def stddev(double[:] values):
    """Population standard deviation."""
    return sqrt(variance(values))


@cython.cdivision(True)
cpdef double mean_abs_deviation(double[:] values):
    """Mean absolute deviation around the mean."""
    cdef Py_ssize_t i, n = values.shape[0]
    cdef double m, acc = 0.0
    if n == 0:
        return 0.0
    m = mean(values)
    for i in range(n):
        acc += fabs(values[i] - m)
    return acc / <double>n
