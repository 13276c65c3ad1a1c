"""Plain C structs for 2-D points and axis-aligned boxes.

Keywords: struct, geometry
"""

from __future__ import annotations

from dataclasses import dataclass, field

from math import sqrt


@dataclass
class Point:
    x: float = 0.0
    y: float = 0.0


@dataclass
class Box:
    lo: Point = field(default_factory=Point)
    hi: Point = field(default_factory=Point)


def distance(a: Point, b: Point) -> float:
    dx: float = a.x - b.x
    dy: float = a.y - b.y
    return sqrt(dx * dx + dy * dy)


def contains(box: Box, p: Point) -> bool:
    return box.lo.x <= p.x <= box.hi.x and box.lo.y <= p.y <= box.hi.y


def point_distance(x1: float, y1: float, x2: float, y2: float):
    """Euclidean distance between (x1, y1) and (x2, y2)."""
    a: Point = Point(x1, y1)
    b: Point = Point(x2, y2)
    return distance(a, b)


def in_unit_box(x: float, y: float):
    unit: Box = Box()
    unit.lo.x = 0.0
    unit.lo.y = 0.0
    unit.hi.x = 1.0
    unit.hi.y = 1.0
    return contains(unit, Point(x, y))
