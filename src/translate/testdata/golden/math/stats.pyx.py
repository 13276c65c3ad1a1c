"""Descriptive statistics over typed memoryviews of doubles.

Keywords: statistics, memoryview, libc.math
"""
from math import sqrt, fabs


def mean(values: list[float]) -> float:
    """Arithmetic mean; 0.0 for an empty input."""
    i: int
    n: int = len(values)
    total: float = 0.0
    if n == 0:
        return 0.0
    for i in range(n):
        total += values[i]
    return total / n


def variance(values: list[float]) -> float:
    """Population variance."""
    i: int
    n: int = len(values)
    m: float = mean(values)
    acc: float = 0.0
    if n == 0:
        return 0.0
    for i in range(n):
        acc += (values[i] - m) * (values[i] - m)
    return acc / n


def stddev(values: list[float]):
    """Population standard deviation."""
    return sqrt(variance(values))


def mean_abs_deviation(values: list[float]) -> float:
    """Mean absolute deviation around the mean."""
    i: int
    n: int = len(values)
    m: float
    acc: float = 0.0
    if n == 0:
        return 0.0
    m = mean(values)
    for i in range(n):
        acc += fabs(values[i] - m)
    return acc / float(n)
