"""Numerical integration of fixed functions with the GIL released.

Keywords: numerical integration, nogil, libc.math
"""
from math import sin, exp, pi as M_PI


def _gaussian(x: float) -> float:
    return exp(-x * x / 2.0)


def trapezoid_gaussian(a: float, b: float, steps: int) -> float:
    h: float = (b - a) / steps
    acc: float = 0.5 * (_gaussian(a) + _gaussian(b))
    i: int
    for i in range(1, steps):
        acc += _gaussian(a + i * h)
    return acc * h


def gaussian_area(a: float, b: float, steps: int = 1000):
    """Integrate exp(-x^2/2) over [a, b] with the trapezoid rule."""
    result: float = 0.0
    if steps <= 0:
        raise ValueError("steps must be positive")
    result = trapezoid_gaussian(a, b, steps)
    return result


def sine_area(steps: int = 1000):
    """Integrate sin over [0, pi] with the midpoint rule; close to 2.0."""
    h: float = M_PI / steps
    acc: float = 0.0
    i: int
    for i in range(steps):
        acc += sin((float(i) + 0.5) * h)
    return acc * h
