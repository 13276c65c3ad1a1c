# cython: language_level=3
"""language_level=3 without cdivision: '/' between C ints is true division."""


def ratios(int n, int seed):
    cdef int i, a, b
    cdef double acc = 0.0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        a = (state >> 16) % 100
        b = (state >> 4) % 9 + 1
        acc += a / b
    cdef int total = n * 3
    return round(acc, 9), total / 4
