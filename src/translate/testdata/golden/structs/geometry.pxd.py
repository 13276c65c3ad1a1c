"""Shared declarations for the geometry helpers (a Cython .pxd header)."""

from __future__ import annotations

from dataclasses import dataclass

@dataclass
class Vec3:
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0

Color = Vec3

def dot3(a: Vec3, b: Vec3) -> float: ...
def cross3(a: Vec3, b: Vec3) -> Vec3: ...

class Sphere:
    center: Vec3
    radius: float = 0.0
    def volume(self) -> float: ...
