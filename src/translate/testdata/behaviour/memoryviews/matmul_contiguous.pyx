# cython: language_level=3
"""Matrix product over C-contiguous double[:, ::1] views of cvarrays."""
from cython.view cimport array as cvarray


cdef void matmul(double[:, ::1] a, double[:, ::1] b, double[:, ::1] out):
    cdef Py_ssize_t i, j, k
    cdef double s
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            s = 0.0
            for k in range(a.shape[1]):
                s += a[i, k] * b[k, j]
            out[i, j] = s


def product_trace(int n, int seed):
    cdef double[:, ::1] a = cvarray(shape=(n, n), itemsize=sizeof(double), format="d")
    cdef double[:, ::1] b = cvarray(shape=(n, n), itemsize=sizeof(double), format="d")
    cdef double[:, ::1] c = cvarray(shape=(n, n), itemsize=sizeof(double), format="d")
    cdef int i, j
    for i in range(n):
        for j in range(n):
            a[i, j] = ((i + j * seed) % 7) * 0.5
            b[i, j] = ((i * seed - j) % 5) * 0.25
    matmul(a, b, c)
    cdef double tr = 0.0
    for i in range(n):
        tr += c[i, i]
    return round(tr, 9)
