# cython: language_level=3
# distutils: language = c++
"""vector reserve/resize as a counting table, then shrink with resize."""
from libcpp.vector cimport vector


def counting_table(int n, int buckets, int seed):
    cdef vector[long] counts
    cdef int i
    cdef unsigned int state = seed
    counts.reserve(buckets)
    counts.resize(buckets)
    for i in range(n):
        state = state * 1664525 + 1013904223
        counts[(state >> 12) % buckets] += 1
    cdef long best = 0
    for i in range(<int>counts.size()):
        if counts[i] > best:
            best = counts[i]
    counts.resize(buckets // 2)
    cdef long half = 0
    for i in range(<int>counts.size()):
        half += counts[i]
    return best, half, counts.size()
