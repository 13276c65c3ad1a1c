# cython: language_level=3
"""Bubble sort of a malloc'd long array with an early exit."""
from libc.stdlib cimport malloc, free


def bubble(int n, int seed):
    cdef long* a = <long*>malloc(n * sizeof(long))
    cdef long tmp
    cdef int i, j, swaps = 0
    cdef bint swapped
    cdef long state = seed
    for i in range(n):
        state = (state * 1103515245 + 12345) % 2147483648
        a[i] = state % 1000
    for i in range(n - 1):
        swapped = False
        for j in range(n - 1 - i):
            if a[j] > a[j + 1]:
                tmp = a[j]
                a[j] = a[j + 1]
                a[j + 1] = tmp
                swaps += 1
                swapped = True
        if not swapped:
            break
    cdef long first = a[0], last = a[n - 1]
    free(a)
    return swaps, first, last
