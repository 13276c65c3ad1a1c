"""Generic summation and clipping written once with fused numeric types.

Keywords: fused types, generics, memoryview
"""
cimport cython

ctypedef fused number_t:
    int
    long
    float
    double


@cython.boundscheck(False)
@cython.wraparound(False)
cpdef number_t total(number_t[:] data):
    """Sum all elements, keeping the element type."""
    cdef Py_ssize_t i
    cdef number_t acc = 0
    for i in range(data.shape[0]):
        acc += data[i]
    return acc


cpdef number_t clip(number_t value, number_t low, number_t high):
    """Clamp value into [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


def count_above(number_t[:] data, double threshold):
    """Count elements strictly greater than threshold."""
    cdef Py_ssize_t i
    cdef int hits = 0
    for i in range(data.shape[0]):
        if <double>data[i] > threshold:
            hits += 1
    return hits
