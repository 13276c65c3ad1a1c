# cython: language_level=3
"""Grid cell from coordinates: index = y / cell * width + x / cell (cdivision)."""
cimport cython


@cython.cdivision(True)
def grid_occupancy(int npoints, int size, int cell, int seed):
    cdef int width = size / cell + 1
    cdef int grid[400]
    cdef int i, x, y, idx, occupied = 0, most = 0
    cdef int state = seed
    for i in range(400):
        grid[i] = 0
    for i in range(npoints):
        state = (state * 1103 + 12345) % 65536
        x = state % size
        state = (state * 1103 + 12345) % 65536
        y = state % size
        idx = (y / cell) * width + x / cell
        grid[idx] += 1
    for i in range(width * width):
        if grid[i]:
            occupied += 1
        if grid[i] > most:
            most = grid[i]
    return width, occupied, most
