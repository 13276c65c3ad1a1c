# cython: language_level=3
"""Process sub-ranges by passing &arr[start] to a function taking double*."""


cdef double segment_energy(double* seg, int length):
    cdef double e = 0.0
    cdef int i
    for i in range(length):
        e += seg[i] * seg[i] * (i + 1)
    return e


def segment_energies(int n, int width, int seed):
    cdef double arr[300]
    cdef int i, start
    cdef unsigned int state = seed
    cdef double best = 0.0, e
    cdef int best_start = 0
    if n > 300:
        n = 300
    for i in range(n):
        state = state * 1664525 + 1013904223
        arr[i] = ((state >> 9) % 200 - 100) / 10.0
    for start in range(0, n - width + 1, width):
        e = segment_energy(&arr[start], width)
        if e > best:
            best = e
            best_start = start
    return round(best, 9), best_start
