# distutils: language = c++
# cython: language_level=3
"""An ordered libcpp map iterated in key order to build a checksum."""
from libcpp.map cimport map


def ordered_checksum(int n, int seed):
    cdef map[int, double] m
    cdef int i, k
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        k = (state >> 16) % 50
        m[k] = m[k] + i * 0.5
    cdef double acc = 0.0
    cdef int position = 0
    for item in m:
        acc += item.first * (position + 1) + item.second
        position += 1
    return m.size(), round(acc, 6)
