# cython: language_level=3
"""Cycle detection in a functional graph with a malloc'd flag array."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset


def cycle_lengths(int n, int mult, int add):
    cdef int* stamp = <int*>malloc(n * sizeof(int))
    cdef int* order = <int*>malloc(n * sizeof(int))
    cdef int start, x, steps, cycles = 0, longest = 0
    memset(stamp, 0, n * sizeof(int))
    for start in range(n):
        if stamp[start]:
            continue
        x = start
        steps = 0
        while stamp[x] == 0:
            stamp[x] = start + 1
            order[x] = steps
            steps += 1
            x = (x * mult + add) % n
        if stamp[x] == start + 1:
            cycles += 1
            if steps - order[x] > longest:
                longest = steps - order[x]
    free(stamp)
    free(order)
    return cycles, longest
