# cython: language_level=3
"""A double accumulator fed with ints still returns a float."""


def weighted_total(int n, int seed):
    cdef double total = 0
    cdef double last
    cdef int i, v
    for i in range(n):
        v = (i * seed) % 10
        total = total + v
        last = v
    return total, last
