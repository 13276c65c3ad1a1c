# cython: language_level=3
"""N-queens by backtracking over a C int array passed as int*."""


cdef bint safe(int* cols, int row, int col):
    cdef int r
    for r in range(row):
        if cols[r] == col or cols[r] - col == row - r or col - cols[r] == row - r:
            return False
    return True


cdef long place(int* cols, int row, int n):
    if row == n:
        return 1
    cdef long count = 0
    cdef int c
    for c in range(n):
        if safe(cols, row, c):
            cols[row] = c
            count += place(cols, row + 1, n)
    return count


def queens(int n):
    cdef int cols[12]
    if n > 12:
        n = 12
    return place(cols, 0, n)
