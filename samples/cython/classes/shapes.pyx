"""Shape hierarchy with cpdef virtual methods and inheritance.

Keywords: inheritance, cpdef, polymorphism
"""
from libc.math cimport M_PI


cdef class Shape:
    cdef public str name

    def __init__(self, str name):
        self.name = name

    cpdef double area(self):
        return 0.0

    cpdef double perimeter(self):
        return 0.0

    def describe(self):
        return f"{self.name}: area={self.area():.2f}"


cdef class Circle(Shape):
    cdef readonly double radius

    def __init__(self, double radius):
        super().__init__("circle")
        self.radius = radius

    cpdef double area(self):
        return M_PI * self.radius * self.radius

    cpdef double perimeter(self):
        return 2.0 * M_PI * self.radius


cdef class Rectangle(Shape):
    cdef readonly double width, height

    def __init__(self, double width, double height):
        super().__init__("rectangle")
        self.width = width
        self.height = height

    cpdef double area(self):
        return self.width * self.height

    cpdef double perimeter(self):
        return 2.0 * (self.width + self.height)


def total_area(list shapes):
    cdef double acc = 0.0
    cdef Shape s
    for s in shapes:
        acc += s.area()
    return acc
