# cython: language_level=3
"""RNG whose state lives in the caller and is advanced through a pointer."""


cdef inline unsigned int next_rand(unsigned int* state):
    state[0] = state[0] * 1103515245 + 12345
    return (state[0] >> 16) & 0x7FFF


def monte_carlo_hits(int n, unsigned int seed):
    cdef unsigned int st = seed
    cdef int i, hits = 0
    cdef double x, y
    for i in range(n):
        x = next_rand(&st) / 32768.0
        y = next_rand(&st) / 32768.0
        if x * x + y * y < 1.0:
            hits += 1
    return hits, st
