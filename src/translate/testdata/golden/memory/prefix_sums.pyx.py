"""Prefix sums and range queries over contiguous memoryviews.

Keywords: prefix sums, contiguous memoryview, calloc
"""


def prefix_sums(values: list[float]):
    """prefix[i] is the sum of values[:i]; len(prefix) == len(values) + 1."""
    i: int
    n: int = len(values)
    acc: list[float] = [0.0] * (n + 1)
    if acc is None:
        raise MemoryError()
    for i in range(n):
        acc[i + 1] = acc[i] + values[i]
    result = [acc[i] for i in range(n + 1)]
    return result


def range_sum(prefix: list, lo: int, hi: int):
    """Sum of the original values in [lo, hi) from a prefix table."""
    if lo < 0 or hi >= len(prefix) or lo > hi:
        raise IndexError("bad range")
    return prefix[hi] - prefix[lo]


def argmax(data: list[int]) -> int:
    i: int
    best: int = 0
    if len(data) == 0:
        raise ValueError("empty input")
    for i in range(1, len(data)):
        if data[i] > data[best]:
            best = int(i)
    return best
