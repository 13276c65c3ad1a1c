# distutils: language = c++
# cython: language_level=3
"""Frequency counting with unordered_map[int, int] and operator[]."""
from libcpp.unordered_map cimport unordered_map


def frequency_summary(int n, int modulus, int seed):
    cdef unordered_map[int, int] freq
    cdef int i, key
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 69069 + 1
        key = (state >> 10) % modulus
        freq[key] += 1
    cdef int best_key = -1, best = 0
    for kv in freq:
        if kv.second > best or (kv.second == best and kv.first < best_key):
            best = kv.second
            best_key = kv.first
    return freq.size(), best_key, best
