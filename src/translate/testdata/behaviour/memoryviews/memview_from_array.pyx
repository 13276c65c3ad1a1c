# cython: language_level=3
"""Typed memoryview over a Python array.array('d'); smoothing in place."""
from cpython cimport array
import array


def smooth(int n, int passes, int seed):
    cdef array.array data = array.array('d', [0.0] * n)
    cdef double[:] v = data
    cdef int i, p
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        v[i] = (state >> 20) % 100
    for p in range(passes):
        for i in range(1, n - 1):
            v[i] = (v[i - 1] + v[i] + v[i + 1]) / 3.0
    cdef double total = 0.0
    for i in range(n):
        total += v[i]
    return round(total, 6), round(data[n // 2], 6)
