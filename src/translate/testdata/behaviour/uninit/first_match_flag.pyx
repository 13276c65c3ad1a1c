# cython: language_level=3
"""Position of the first multiple, declared without initialiser."""


def first_multiple(int n, int d, int seed):
    cdef int i, pos, v
    cdef bint found = False
    cdef int state = seed
    for i in range(n):
        state = (state * 1103 + 12345) % 65536
        v = state % 1000
        if not found and v % d == 0:
            pos = i
            found = True
    if found:
        return pos
    return -1
