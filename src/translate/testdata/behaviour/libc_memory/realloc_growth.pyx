# cython: language_level=3
"""Growable int array with realloc doubling, filled with filtered LCG values."""
from libc.stdlib cimport malloc, realloc, free


def collect_multiples(int n, int divisor, int seed):
    cdef int capacity = 4
    cdef int size = 0
    cdef int* items = <int*>malloc(capacity * sizeof(int))
    cdef int* grown
    cdef int i, v
    cdef long long state = seed
    cdef long long check = 0
    for i in range(n):
        state = (state * 69069 + 1) % 4294967296
        v = <int>(state % 10007)
        if v % divisor == 0:
            if size == capacity:
                capacity *= 2
                grown = <int*>realloc(items, capacity * sizeof(int))
                if grown == NULL:
                    free(items)
                    raise MemoryError()
                items = grown
            items[size] = v
            size += 1
    for i in range(size):
        check = (check * 131 + items[i]) % 1000000007
    free(items)
    return size, capacity, check
