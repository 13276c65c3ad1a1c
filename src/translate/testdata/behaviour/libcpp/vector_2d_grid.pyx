# distutils: language = c++
# cython: language_level=3
"""Obstacles in a vector[vector[int]] grid; path counts in a flat vector."""
from libcpp.vector cimport vector


def lattice_paths(int rows, int cols, int seed):
    cdef vector[vector[int]] grid
    cdef vector[int] row
    cdef vector[long] dp
    cdef int r, c, cell, blocked = 0
    for r in range(rows):
        row.clear()
        for c in range(cols):
            cell = 1
            if (r * seed + c * 7) % 11 == 0 and r + c > 0:
                cell = 0
            row.push_back(cell)
        grid.push_back(row)
    dp.resize(cols)
    dp[0] = 1
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == 0:
                dp[c] = 0
                blocked += 1
            elif c > 0:
                dp[c] = dp[c] + dp[c - 1]
    return dp[cols - 1], blocked, grid.size(), grid[0].size()
