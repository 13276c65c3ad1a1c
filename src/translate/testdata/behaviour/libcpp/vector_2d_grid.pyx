# distutils: language = c++
# cython: language_level=3
"""A grid as vector[vector[int]]: rows pushed, then a path-count DP."""
from libcpp.vector cimport vector


def lattice_paths(int rows, int cols, int seed):
    cdef vector[vector[long]] grid
    cdef vector[long] row
    cdef int r, c
    for r in range(rows):
        row.clear()
        for c in range(cols):
            row.push_back(0 if (r * seed + c * 7) % 11 == 0 and r + c > 0 else 1)
        grid.push_back(row)
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == 0 or (r == 0 and c == 0):
                continue
            grid[r][c] = (grid[r - 1][c] if r > 0 else 0) + (grid[r][c - 1] if c > 0 else 0)
    return grid[rows - 1][cols - 1], grid.size(), grid[0].size()
