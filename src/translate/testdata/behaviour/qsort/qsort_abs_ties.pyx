# cython: language_level=3
"""Sort by absolute value, ties broken by sign, with qsort."""
from libc.stdlib cimport qsort, abs as c_abs


cdef int abs_then_value(const void* a, const void* b) noexcept nogil:
    cdef int x = (<int*>a)[0], y = (<int*>b)[0]
    cdef int ax = c_abs(x), ay = c_abs(y)
    if ax != ay:
        return -1 if ax < ay else 1
    return (x > y) - (x < y)


def abs_order(int n, int seed):
    cdef int vals[128]
    cdef int i
    cdef int state = seed
    if n > 128:
        n = 128
    for i in range(n):
        state = (state * 1021 + 7) % 32749
        vals[i] = state % 41 - 20
    qsort(vals, n, sizeof(int), abs_then_value)
    cdef long code = 0
    for i in range(n):
        code = (code * 7 + vals[i] + 20) % 1000003
    return vals[0], vals[n - 1], code
