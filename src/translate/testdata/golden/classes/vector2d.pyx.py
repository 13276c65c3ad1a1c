"""Two-dimensional vector extension type with arithmetic helpers.

Keywords: cdef class, geometry, operators
"""

from __future__ import annotations

from math import sqrt, atan2


class Vector2D:
    """An immutable-by-convention 2-D vector."""
    x: float = 0.0
    y: float = 0.0

    def __init__(self, x: float = 0.0, y: float = 0.0):
        self.x = x
        self.y = y

    def length(self) -> float:
        return sqrt(self.x * self.x + self.y * self.y)

    def dot(self, other: Vector2D) -> float:
        return self.x * other.x + self.y * other.y

    def angle(self):
        """Angle to the positive x axis, in radians."""
        return atan2(self.y, self.x)

    def scaled(self, factor: float):
        return Vector2D(self.x * factor, self.y * factor)

    def __add__(self, other: Vector2D):
        return Vector2D(self.x + other.x, self.y + other.y)

    def __repr__(self):
        return f"Vector2D({self.x}, {self.y})"
