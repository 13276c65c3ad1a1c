# cython: language_level=3
"""Composite flags in a calloc'd bint array; twin prime count."""
from libc.stdlib cimport calloc, free


def twin_primes(int limit):
    cdef bint* composite = <bint*>calloc(limit + 1, sizeof(bint))
    cdef int i, j, twins = 0
    for i in range(2, limit + 1):
        if not composite[i]:
            j = i * i
            while j <= limit:
                composite[j] = True
                j += i
    for i in range(2, limit - 1):
        if not composite[i] and not composite[i + 2]:
            twins += 1
    free(composite)
    return twins
