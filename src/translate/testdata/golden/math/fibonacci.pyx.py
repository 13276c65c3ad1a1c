"""Fibonacci numbers, written in plain Python that Cython also compiles.

Keywords: pure python, recursion, memoization
"""


def fib_iterative(n):
    """Return the n-th Fibonacci number (fib(0) == 0)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


_cache = {0: 0, 1: 1}


def fib_memo(n):
    """Memoized recursive Fibonacci."""
    if n in _cache:
        return _cache[n]
    value = fib_memo(n - 1) + fib_memo(n - 2)
    _cache[n] = value
    return value


def fib_sequence(count):
    """List of the first count Fibonacci numbers."""
    return [fib_iterative(i) for i in range(count)]
