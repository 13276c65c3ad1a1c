# distutils: language = c++
# cython: language_level=3
"""Collect filtered values in a libcpp vector with push_back."""
from libcpp.vector cimport vector


def filtered_stats(int n, int threshold, int seed):
    cdef vector[int] kept
    cdef int i, v
    cdef long total = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        v = (state >> 16) % 1000
        if v >= threshold:
            kept.push_back(v)
    for i in range(kept.size()):
        total += kept[i] * (i % 3 + 1)
    if kept.empty():
        return 0, total, -1
    return kept.size(), total, kept.back()
