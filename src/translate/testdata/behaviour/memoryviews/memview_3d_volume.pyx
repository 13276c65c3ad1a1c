# cython: language_level=3
"""3-D double memoryview over a cvarray: a discrete Laplacian summary."""
from cython.view cimport array as cvarray


def laplacian_sum(int n, int seed):
    cdef double[:, :, :] vol = cvarray(shape=(n, n, n), itemsize=sizeof(double), format="d")
    cdef int i, j, k
    cdef double lap, total = 0.0
    for i in range(n):
        for j in range(n):
            for k in range(n):
                vol[i, j, k] = ((i * 31 + j * 17 + k * 7 + seed) % 23) * 0.5
    for i in range(1, n - 1):
        for j in range(1, n - 1):
            for k in range(1, n - 1):
                lap = (vol[i - 1, j, k] + vol[i + 1, j, k] + vol[i, j - 1, k] + vol[i, j + 1, k]
                       + vol[i, j, k - 1] + vol[i, j, k + 1] - 6.0 * vol[i, j, k])
                total += lap * lap
    return round(total, 6)
