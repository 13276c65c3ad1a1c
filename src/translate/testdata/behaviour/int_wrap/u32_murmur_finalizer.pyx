# cython: language_level=3
"""MurmurHash3 32-bit finalizer applied to a sequence of keys."""


cdef unsigned int M1 = 0x85ebca6b
cdef unsigned int M2 = 0xc2b2ae35


cdef unsigned int fmix32(unsigned int h):
    h ^= h >> 16
    h *= M1
    h ^= h >> 13
    h *= M2
    h ^= h >> 16
    return h


def finalized_keys(int n, int seed):
    cdef unsigned int h, best = 0, acc = 0
    cdef int i
    for i in range(n):
        h = fmix32(i * seed + 1)
        acc += h
        if h > best:
            best = h
    return best, acc
