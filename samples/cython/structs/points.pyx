"""Plain C structs for 2-D points and axis-aligned boxes.

Keywords: struct, geometry
"""
from libc.math cimport sqrt


cdef struct Point:
    double x
    double y


cdef struct Box:
    Point lo
    Point hi


cdef double distance(Point a, Point b):
    cdef double dx = a.x - b.x
    cdef double dy = a.y - b.y
    return sqrt(dx * dx + dy * dy)


cdef bint contains(Box box, Point p):
    return box.lo.x <= p.x <= box.hi.x and box.lo.y <= p.y <= box.hi.y


def point_distance(double x1, double y1, double x2, double y2):
    """Euclidean distance between (x1, y1) and (x2, y2)."""
    cdef Point a = Point(x1, y1)
    cdef Point b = Point(x2, y2)
    return distance(a, b)


def in_unit_box(double x, double y):
    cdef Box unit
    unit.lo.x = 0.0
    unit.lo.y = 0.0
    unit.hi.x = 1.0
    unit.hi.y = 1.0
    return contains(unit, Point(x, y))
