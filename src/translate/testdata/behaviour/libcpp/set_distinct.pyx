# distutils: language = c++
# cython: language_level=3
"""Distinct values with libcpp set and unordered_set."""
from libcpp.set cimport set as cppset
from libcpp.unordered_set cimport unordered_set


def distinct_counts(int n, int modulus, int seed):
    cdef cppset[int] ordered
    cdef unordered_set[long] seen
    cdef int i, v, repeats = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        v = (state >> 12) % modulus
        if seen.count(v):
            repeats += 1
        seen.insert(v)
        ordered.insert(v % 50)
    return ordered.size(), seen.size(), repeats
