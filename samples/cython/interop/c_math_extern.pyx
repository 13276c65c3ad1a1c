"""Calling C math functions declared through cdef extern blocks.

Keywords: extern, C interop, math.h
"""

cdef extern from "math.h":
    double hypot(double x, double y)
    double cbrt(double x)
    double fmax(double a, double b)


cdef extern from "limits.h":
    int INT_MAX


def diagonal(double w, double h):
    """Length of the diagonal of a w-by-h rectangle."""
    return hypot(w, h)


def cube_roots(list values):
    return [cbrt(<double>v) for v in values]


def saturating_add(int a, int b):
    """Add two ints, clamping at INT_MAX instead of overflowing."""
    cdef long long s = <long long>a + b
    if s > INT_MAX:
        return INT_MAX
    return <int>s
