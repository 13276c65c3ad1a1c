# cython: language_level=3
"""Python semantics on C ints without cdivision: negative // and % floor."""


def bucketize(int n, int width, int seed):
    cdef int i, v, b, lo = 0, hi = 0
    cdef long check = 0
    for i in range(n):
        v = (i * seed) % 201 - 100
        b = v // width
        if b < lo:
            lo = b
        if b > hi:
            hi = b
        check += (v % width) * (i + 1)
    return lo, hi, check
