# cython: language_level=3
"""Sort a malloc'd int array with qsort and report order statistics."""
from libc.stdlib cimport malloc, free, qsort


cdef int compare_ints(const void* a, const void* b) noexcept nogil:
    cdef int x = (<const int*>a)[0]
    cdef int y = (<const int*>b)[0]
    if x < y:
        return -1
    if x > y:
        return 1
    return 0


def order_stats(int n, int seed):
    cdef int* values = <int*>malloc(n * sizeof(int))
    cdef int i
    cdef long long state = seed
    for i in range(n):
        state = (state * 1103515245 + 12345) % 2147483648
        values[i] = <int>(state % 2001) - 1000
    qsort(values, n, sizeof(int), compare_ints)
    cdef long long weighted = 0
    for i in range(n):
        weighted += values[i] * (i + 1)
    result = (values[0], values[n // 2], values[n - 1], weighted)
    free(values)
    return result
