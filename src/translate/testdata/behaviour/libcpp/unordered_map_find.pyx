# distutils: language = c++
# cython: language_level=3
"""Two-sum style lookups with unordered_map count() and find()."""
from libcpp.unordered_map cimport unordered_map


def pair_sums(int n, int target, int seed):
    cdef unordered_map[int, int] seen
    cdef int i, v, pairs = 0, hits = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        v = (state >> 12) % 100
        if seen.count(target - v):
            pairs += seen[target - v]
        if seen.find(v) != seen.end():
            hits += 1
        seen[v] += 1
    return pairs, hits, seen.size()
