"""Shape hierarchy with cpdef virtual methods and inheritance.

Keywords: inheritance, cpdef, polymorphism
"""

from __future__ import annotations

from math import pi as M_PI


class Shape:
    name: str | None = None

    def __init__(self, name: str):
        self.name = name

    def area(self) -> float:
        return 0.0

    def perimeter(self) -> float:
        return 0.0

    def describe(self):
        return f"{self.name}: area={self.area():.2f}"


class Circle(Shape):
    radius: float = 0.0

    def __init__(self, radius: float):
        super().__init__("circle")
        self.radius = radius

    def area(self) -> float:
        return M_PI * self.radius * self.radius

    def perimeter(self) -> float:
        return 2.0 * M_PI * self.radius


class Rectangle(Shape):
    width: float = 0.0
    height: float = 0.0

    def __init__(self, width: float, height: float):
        super().__init__("rectangle")
        self.width = width
        self.height = height

    def area(self) -> float:
        return self.width * self.height

    def perimeter(self) -> float:
        return 2.0 * (self.width + self.height)


def total_area(shapes: list):
    acc: float = 0.0
    s: Shape
    for s in shapes:
        acc += s.area()
    return acc
