"""Running sums computed in a malloc'ed scratch buffer.

Keywords: malloc, free, MemoryError
"""
from libc.stdlib cimport malloc, free


def cumulative(list values):
    """Return the running totals of values as a list of floats."""
    cdef Py_ssize_t n = len(values)
    cdef Py_ssize_t i
    cdef double* buf = <double*>malloc(n * sizeof(double))
    if not buf:
        raise MemoryError()
    try:
        for i in range(n):
            buf[i] = values[i]
            if i > 0:
                buf[i] += buf[i - 1]
        return [buf[i] for i in range(n)]
    finally:
        free(buf)


def moving_max(list values, int window):
    """Maximum of each sliding window of the given width."""
    cdef int n = len(values)
    cdef int i, j
    cdef double best
    cdef double* data = <double*>malloc(n * sizeof(double))
    if data == NULL:
        raise MemoryError()
    for i in range(n):
        data[i] = values[i]
    out = []
    for i in range(n - window + 1):
        best = data[i]
        for j in range(i + 1, i + window):
            if data[j] > best:
                best = data[j]
        out.append(best)
    free(data)
    return out
