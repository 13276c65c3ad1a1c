# cython: language_level=3
"""Scalar broadcast into a memoryview slice: v[:] = 0 and v[a:b] = x."""
from cython.view cimport array as cvarray


def painted(int n, int strokes, int seed):
    cdef int[:] canvas = cvarray(shape=(n,), itemsize=sizeof(int), format="i")
    cdef int s, a, b, t, i
    cdef unsigned int state = seed
    canvas[:] = 0
    for s in range(strokes):
        state = state * 1103515245 + 12345
        a = (state >> 16) % n
        state = state * 1103515245 + 12345
        b = (state >> 16) % n
        if a > b:
            t = a
            a = b
            b = t
        canvas[a:b + 1] = s + 1
    cdef long digest = 0
    for i in range(n):
        digest = digest * 7 + canvas[i]
        digest %= 1000003
    return digest
