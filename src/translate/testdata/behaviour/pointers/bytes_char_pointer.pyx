# cython: language_level=3
"""Hashing a bytes object through an unsigned char* view of its data."""


def byte_hashes(int n, int seed):
    data = bytes([(i * seed + 7) % 256 for i in range(n)])
    cdef const unsigned char* p = data
    cdef unsigned int h = 5381
    cdef int i, high = 0
    for i in range(len(data)):
        h = h * 33 + p[i]
        if p[i] >= 128:
            high += 1
    return h, high
