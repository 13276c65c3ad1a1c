# cython: language_level=3
"""8-bit additive and xor checksums in unsigned char variables."""


def byte_checksums(int n, int seed):
    cdef unsigned char add = 0, xor = 0, rot = 0
    cdef int i
    cdef int v
    for i in range(n):
        v = (i * seed + 41) % 256
        add = add + v
        xor ^= v
        rot = (rot << 1) | (rot >> 7)
        rot += v
    return add, xor, rot
