# cython: language_level=3
"""A ctypedef'd unsigned type in a djb2-xor hash; the alias keeps wrapping."""

ctypedef unsigned int hash_t


cdef hash_t mix(hash_t h, int v):
    return (h << 5) + h ^ v


def hash_values(int n, int seed):
    cdef hash_t h = 5381
    cdef int i
    for i in range(n):
        h = mix(h, (i * seed) % 1000)
    return h, h % 1024
