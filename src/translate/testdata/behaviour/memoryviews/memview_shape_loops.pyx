# cython: language_level=3
"""2-D memoryview loops bounded by m.shape[0] and m.shape[1]."""
from cython.view cimport array as cvarray


cdef long border_sum(int[:, :] m):
    cdef long s = 0
    cdef Py_ssize_t i, j
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if i == 0 or j == 0 or i == m.shape[0] - 1 or j == m.shape[1] - 1:
                s += m[i, j]
    return s


def border(int rows, int cols, int seed):
    cdef int[:, :] grid = cvarray(shape=(rows, cols), itemsize=sizeof(int), format="i")
    cdef int i, j
    for i in range(rows):
        for j in range(cols):
            grid[i, j] = (i * cols + j) * seed % 50
    return border_sum(grid), grid[rows - 1, cols - 1]
