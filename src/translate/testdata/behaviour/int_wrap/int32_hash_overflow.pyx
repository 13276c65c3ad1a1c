# cython: language_level=3
"""Java-style string hash in a C int: h = 31*h + c overflows and wraps."""


def java_hashes(int n, int seed):
    cdef int h
    cdef int i, j, negatives = 0
    cdef long long total = 0
    cdef unsigned char c
    for i in range(n):
        h = 0
        for j in range(12):
            c = 97 + (i * seed + j * 7) % 26
            h = 31 * h + c
        if h < 0:
            negatives += 1
        total += h
    return total, negatives, h
