# cython: language_level=3
"""Rotate points with sin/cos and recover angles with atan2; uses pi."""
from libc.math cimport sin, cos, atan2, pi


def rotate_points(int n, double degrees, int seed):
    cdef double theta = degrees * pi / 180.0
    cdef double c = cos(theta), s = sin(theta)
    cdef double x, y, rx, ry, angle_sum = 0.0, xs = 0.0
    cdef int i
    for i in range(n):
        x = ((i * seed) % 11) - 5.0
        y = ((i * 3 + seed) % 13) - 6.0
        rx = c * x - s * y
        ry = s * x + c * y
        xs += rx
        angle_sum += atan2(ry, rx)
    return round(xs, 9), round(angle_sum, 9)
