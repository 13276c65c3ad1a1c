"""Dot product and scaled add (axpy) with parallel loops.

Keywords: prange, linear algebra, memoryview
"""


def check_same_length(n: int, m: int) -> int:
    if n != m:
        raise ValueError(f"length mismatch: {n} != {m}")
    return 0


def dot(a: list[float], b: list[float]) -> float:
    i: int
    acc: float = 0.0
    check_same_length(len(a), len(b))
    for i in range(len(a)):
        acc += a[i] * b[i]
    return acc


def axpy(alpha: float, x: list[float], y: list[float]):
    """y += alpha * x, in place; returns y as a list."""
    i: int = 0
    n: int = len(x)
    check_same_length(n, len(y))
    for i in range(n):
        y[i] = y[i] + alpha * x[i]
    return [y[i] for i in range(n)]
