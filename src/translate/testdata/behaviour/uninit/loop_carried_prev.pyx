# cython: language_level=3
"""A previous-value local set at the end of each iteration, read from the second."""


def rises(int n, int seed):
    cdef int i, cur, prev, ups = 0, downs = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        cur = (state >> 20) % 50
        if i > 0:
            if cur > prev:
                ups += 1
            elif cur < prev:
                downs += 1
        prev = cur
    return ups, downs
