"""Integer histogram with bins stored in a calloc'ed counts array."""

import math


def _c_floor(x):
    """C floor(): the result stays a float."""
    return float(math.floor(x))


def histogram(samples: list, low: float, high: float, bins: int):
    """Count samples falling in each of `bins` equal-width bins over [low, high)."""
    counts: list[int]
    i: int = 0
    k: int
    width: float
    if bins <= 0 or high <= low:
        raise ValueError("invalid bin specification")
    counts = [0] * bins
    if counts is None:
        raise MemoryError()
    width = (high - low) / bins
    for value in samples:
        if value < low or value >= high:
            continue
        k = int(_c_floor((value - low) / width))
        if k >= bins:
            k = bins - 1
        counts[k] += 1
    result = [counts[i] for i in range(bins)]
    return result
