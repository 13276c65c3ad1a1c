# cython: language_level=3
"""A cdef kernel over double[:] views of two cvarrays (dot product, axpy)."""
from cython.view cimport array as cvarray


cdef double dot(double[:] a, double[:] b, int n):
    cdef double s = 0.0
    cdef int i
    for i in range(n):
        s += a[i] * b[i]
    return s


cdef void axpy(double alpha, double[:] x, double[:] y, int n):
    cdef int i
    for i in range(n):
        y[i] += alpha * x[i]


def kernel(int n, int seed):
    cdef double[:] x = cvarray(shape=(n,), itemsize=sizeof(double), format="d")
    cdef double[:] y = cvarray(shape=(n,), itemsize=sizeof(double), format="d")
    cdef int i
    for i in range(n):
        x[i] = ((i * seed) % 17) * 0.5
        y[i] = ((i + seed) % 5) * 1.5
    axpy(0.25, x, y, n)
    return round(dot(x, y, n), 9)
