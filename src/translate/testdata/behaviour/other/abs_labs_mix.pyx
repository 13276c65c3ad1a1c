# cython: language_level=3
"""abs/labs from libc.stdlib on signed ints and a Manhattan walk."""
from libc.stdlib cimport abs as c_abs, labs


def manhattan_walk(int n, int seed):
    cdef int x = 0, y = 0, dx, dy, i
    cdef long far = 0, path = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        dx = <int>((state >> 8) % 7) - 3
        dy = <int>((state >> 16) % 7) - 3
        x += dx
        y += dy
        path += c_abs(dx) + c_abs(dy)
        if labs(x) + labs(y) > far:
            far = labs(x) + labs(y)
    return x, y, far, path
