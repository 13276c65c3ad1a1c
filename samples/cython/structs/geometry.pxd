"""Shared declarations for the geometry helpers (a Cython .pxd header)."""

cdef struct Vec3:
    double x
    double y
    double z

ctypedef Vec3 Color

cdef double dot3(Vec3 a, Vec3 b) nogil
cdef Vec3 cross3(Vec3 a, Vec3 b) nogil

cdef class Sphere:
    cdef public Vec3 center
    cdef public double radius
    cpdef double volume(self)
