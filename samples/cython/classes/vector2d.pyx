"""Two-dimensional vector extension type with arithmetic helpers.

Keywords: cdef class, geometry, operators
"""
from libc.math cimport sqrt, atan2


cdef class Vector2D:
    """An immutable-by-convention 2-D vector."""
    cdef public double x
    cdef public double y

    def __init__(self, double x=0.0, double y=0.0):
        self.x = x
        self.y = y

    cpdef double length(self):
        return sqrt(self.x * self.x + self.y * self.y)

    cpdef double dot(self, Vector2D other):
        return self.x * other.x + self.y * other.y

    def angle(self):
        """Angle to the positive x axis, in radians."""
        return atan2(self.y, self.x)

    def scaled(self, double factor):
        return Vector2D(self.x * factor, self.y * factor)

    def __add__(self, Vector2D other):
        return Vector2D(self.x + other.x, self.y + other.y)

    def __repr__(self):
        return f"Vector2D({self.x}, {self.y})"
