# cython: language_level=3
"""Descending qsort of doubles; sum of the top k."""
from libc.stdlib cimport qsort


cdef int by_value_desc(const void* pa, const void* pb) noexcept nogil:
    cdef double a = (<double*>pa)[0]
    cdef double b = (<double*>pb)[0]
    return (a < b) - (a > b)


def top_k_sum(int n, int k, int seed):
    cdef double data[256]
    cdef int i
    cdef unsigned int state = seed
    if n > 256:
        n = 256
    for i in range(n):
        state = state * 69069 + 1
        data[i] = (state % 10000) / 100.0
    qsort(data, n, sizeof(double), by_value_desc)
    cdef double total = 0.0
    for i in range(min(k, n)):
        total += data[i]
    return round(total, 6), data[0], data[n - 1]
