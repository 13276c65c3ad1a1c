"""Running sums computed in a malloc'ed scratch buffer.

Keywords: malloc, free, MemoryError
"""


def cumulative(values: list):
    """Return the running totals of values as a list of floats."""
    n: int = len(values)
    i: int
    buf: list[float] = [0.0] * n
    if buf is None:
        raise MemoryError()
    try:
        for i in range(n):
            buf[i] = values[i]
            if i > 0:
                buf[i] += buf[i - 1]
        return [buf[i] for i in range(n)]
    finally:
        pass


def moving_max(values: list, window: int):
    """Maximum of each sliding window of the given width."""
    n: int = len(values)
    i: int
    j: int
    best: float
    data: list[float] = [0.0] * n
    if data is None:
        raise MemoryError()
    for i in range(n):
        data[i] = values[i]
    out = []
    for i in range(n - window + 1):
        best = data[i]
        for j in range(i + 1, i + window):
            if data[j] > best:
                best = data[j]
        out.append(best)
    return out
