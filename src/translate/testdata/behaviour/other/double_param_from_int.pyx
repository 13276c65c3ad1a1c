# cython: language_level=3
"""cdef functions with double parameters called with C ints."""


cdef double scaled(double x, double factor):
    return x * factor


cdef double square(double x):
    return x * x


def scaled_sum(int n, int seed):
    cdef int i
    cdef double acc = 0.0
    for i in range(n):
        acc += scaled(i, seed)
    return acc, square(n)
