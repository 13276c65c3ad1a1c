# cython: language_level=3
"""Assigning a struct copies it: later changes to the source do not leak."""


cdef struct Cell:
    int value
    int visits


def copy_cells(int n, int seed):
    cdef Cell cells[50]
    cdef Cell cur
    cdef int i
    if n > 50:
        n = 50
    cur.value = seed
    cur.visits = 0
    for i in range(n):
        cur.value = (cur.value * 7 + 3) % 101
        cur.visits += 1
        cells[i] = cur
    cdef long total = 0
    for i in range(n):
        total += cells[i].value * cells[i].visits
    return total, cells[0].visits
