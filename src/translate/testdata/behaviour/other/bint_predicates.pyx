# cython: language_level=3
"""bint-returning cdef predicates summed as integers."""


cdef bint is_square_free(int v):
    cdef int d = 2
    while d * d <= v:
        if v % (d * d) == 0:
            return False
        d += 1
    return True


def count_square_free(int n):
    cdef int i, count = 0
    cdef long weighted = 0
    for i in range(1, n + 1):
        count += is_square_free(i)
        weighted += is_square_free(i) * i
    return count, weighted, is_square_free(n)
