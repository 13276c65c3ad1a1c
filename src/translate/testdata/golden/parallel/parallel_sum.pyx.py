"""Parallel reductions with prange and released GIL.

Keywords: prange, OpenMP, nogil, reduction
"""


def parallel_sum(data: list[float]):
    """Sum of data computed in parallel."""
    i: int
    total: float = 0.0
    for i in range(len(data)):
        total += data[i]
    return total


def parallel_sum_squares(data: list[float], chunk: int = 64):
    i: int
    n: int = len(data)
    total: float = 0.0
    for i in range(n):
        total += data[i] * data[i]
    return total
