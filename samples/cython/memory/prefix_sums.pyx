"""Prefix sums and range queries over contiguous memoryviews.

Keywords: prefix sums, contiguous memoryview, calloc
"""
from libc.stdlib cimport calloc, free
cimport cython


@cython.boundscheck(False)
@cython.wraparound(False)
def prefix_sums(double[::1] values):
    """prefix[i] is the sum of values[:i]; len(prefix) == len(values) + 1."""
    cdef Py_ssize_t i, n = values.shape[0]
    cdef double* acc = <double*>calloc(n + 1, sizeof(double))
    if acc == NULL:
        raise MemoryError()
    for i in range(n):
        acc[i + 1] = acc[i] + values[i]
    result = [acc[i] for i in range(n + 1)]
    free(acc)
    return result


def range_sum(list prefix, int lo, int hi):
    """Sum of the original values in [lo, hi) from a prefix table."""
    if lo < 0 or hi >= len(prefix) or lo > hi:
        raise IndexError("bad range")
    return prefix[hi] - prefix[lo]


cpdef int argmax(long[:] data) except -1:
    cdef Py_ssize_t i
    cdef int best = 0
    if data.shape[0] == 0:
        raise ValueError("empty input")
    for i in range(1, data.shape[0]):
        if data[i] > data[best]:
            best = <int>i
    return best
