# cython: language_level=3
"""def functions taking typed memoryviews, fed from cvarrays built in Cython."""
from cython.view cimport array as cvarray


def prefix_max(long[:] values, long[:] out):
    cdef Py_ssize_t i
    cdef long best = values[0]
    for i in range(values.shape[0]):
        if values[i] > best:
            best = values[i]
        out[i] = best
    return best


def run(int n, int seed):
    cdef long[:] a = cvarray(shape=(n,), itemsize=sizeof(long), format="l")
    cdef long[:] b = cvarray(shape=(n,), itemsize=sizeof(long), format="l")
    cdef int i
    for i in range(n):
        a[i] = (i * seed * 7919) % 1000
    cdef long best = prefix_max(a, b)
    cdef long s = 0
    for i in range(n):
        s += b[i]
    return best, s
