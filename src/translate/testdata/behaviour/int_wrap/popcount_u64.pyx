# cython: language_level=3
"""Kernighan popcount on unsigned long long: x &= x - 1 clears the low bit."""


cdef int popcount(unsigned long long x):
    cdef int count = 0
    while x:
        x &= x - 1
        count += 1
    return count


def popcount_stream(int n, unsigned long long seed):
    cdef unsigned long long x = seed
    cdef long total = 0
    cdef int i, best = 0
    for i in range(n):
        x = x * 2862933555777941757ULL + 3037000493ULL
        total += popcount(x)
        if popcount(x) > best:
            best = popcount(x)
    return total, best
