# cython: language_level=3
"""Swap two scalars through pointers inside a bubble of comparisons."""


cdef inline void swap_ints(int* a, int* b):
    cdef int t = a[0]
    a[0] = b[0]
    b[0] = t


def sort_three_many(int n, int seed):
    cdef int x, y, z, i
    cdef long checksum = 0
    cdef int state = seed
    for i in range(n):
        state = (state * 1103 + 12345) % 65536
        x = state % 100
        state = (state * 1103 + 12345) % 65536
        y = state % 100
        state = (state * 1103 + 12345) % 65536
        z = state % 100
        if x > y:
            swap_ints(&x, &y)
        if y > z:
            swap_ints(&y, &z)
        if x > y:
            swap_ints(&x, &y)
        checksum += x * 10000 + y * 100 + z
    return checksum
