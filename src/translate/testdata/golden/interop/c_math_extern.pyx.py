"""Calling C math functions declared through cdef extern blocks.

Keywords: extern, C interop, math.h
"""

from math import cbrt, hypot


INT_MAX = 2147483647


def diagonal(w: float, h: float):
    """Length of the diagonal of a w-by-h rectangle."""
    return hypot(w, h)


def cube_roots(values: list):
    return [cbrt(float(v)) for v in values]


def saturating_add(a: int, b: int):
    """Add two ints, clamping at INT_MAX instead of overflowing."""
    s: int = int(a) + b
    if s > INT_MAX:
        return INT_MAX
    return int(s)
