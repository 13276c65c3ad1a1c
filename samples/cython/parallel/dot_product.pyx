"""Dot product and scaled add (axpy) with parallel loops.

Keywords: prange, linear algebra, memoryview
"""
cimport cython
from cython.parallel import prange


cdef int check_same_length(Py_ssize_t n, Py_ssize_t m) except -1 nogil:
    if n != m:
        with gil:
            raise ValueError(f"length mismatch: {n} != {m}")
    return 0


@cython.boundscheck(False)
@cython.wraparound(False)
cpdef double dot(double[::1] a, double[::1] b) except? -1.0:
    cdef Py_ssize_t i
    cdef double acc = 0.0
    check_same_length(a.shape[0], b.shape[0])
    for i in prange(a.shape[0], nogil=True, schedule="guided"):
        acc += a[i] * b[i]
    return acc


@cython.boundscheck(False)
def axpy(double alpha, double[::1] x, double[::1] y):
    """y += alpha * x, in place; returns y as a list."""
    cdef Py_ssize_t i
    cdef Py_ssize_t n = x.shape[0]
    check_same_length(n, y.shape[0])
    with nogil:
        for i in prange(n):
            y[i] = y[i] + alpha * x[i]
    return [y[i] for i in range(n)]
