# cython: boundscheck=False, wraparound=False, cdivision=True
"""Parallel reductions with prange and released GIL.

Keywords: prange, OpenMP, nogil, reduction
"""
from cython.parallel cimport prange
cimport cython


def parallel_sum(double[:] data):
    """Sum of data computed in parallel."""
    cdef Py_ssize_t i
    cdef double total = 0.0
    for i in prange(data.shape[0], nogil=True):
        total += data[i]
    return total


def parallel_sum_squares(double[:] data, int chunk=64):
    cdef Py_ssize_t i, n = data.shape[0]
    cdef double total = 0.0
    with nogil:
        for i in prange(n, schedule="static", chunksize=chunk):
            total += data[i] * data[i]
    return total
