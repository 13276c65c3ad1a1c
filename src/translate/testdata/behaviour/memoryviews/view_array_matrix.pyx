# cython: language_level=3
"""cython.view.array 2-D double matrix, multiplied by its transpose."""
cimport cython
from cython cimport view


def gram_trace(int rows, int cols, int seed):
    cdef double[:, :] a = view.array(shape=(rows, cols), itemsize=sizeof(double), format="d")
    cdef int i, j, k
    cdef double s, trace = 0.0
    cdef unsigned int state = seed
    for i in range(rows):
        for j in range(cols):
            state = state * 69069 + 1
            a[i, j] = (state % 100) / 10.0
    for i in range(rows):
        s = 0.0
        for k in range(cols):
            s += a[i, k] * a[i, k]
        trace += s
    return round(trace, 6), a.shape[0], a.shape[1]
