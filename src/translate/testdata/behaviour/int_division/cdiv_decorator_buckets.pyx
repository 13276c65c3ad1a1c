# cython: language_level=3
"""Bucket index computed with '/' between C ints inside a cdivision function."""
cimport cython


@cython.cdivision(True)
cdef int bucket_of(int value, int max_value, int nbuckets):
    return (value * nbuckets) / (max_value + 1)


@cython.cdivision(True)
def bucket_counts(int n, int nbuckets, int seed):
    cdef int counts[32]
    cdef int i, v, b
    cdef unsigned int state = seed
    for i in range(32):
        counts[i] = 0
    for i in range(n):
        state = state * 1664525 + 1013904223
        v = (state >> 8) % 1000
        b = bucket_of(v, 999, nbuckets)
        counts[b] += 1
    cdef int widest = 0
    for i in range(nbuckets):
        if counts[i] > counts[widest]:
            widest = i
    return widest, counts[widest], counts[nbuckets / 2]
