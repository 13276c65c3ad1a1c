# cython: language_level=3
"""A calloc'd array of structs (zeroed) used as a small particle system."""
from libc.stdlib cimport calloc, free


cdef struct Particle:
    double x
    double v


def simulate(int n, int steps):
    cdef Particle* ps = <Particle*>calloc(n, sizeof(Particle))
    cdef int i, s
    cdef double energy = 0.0
    for i in range(n):
        ps[i].v = (i % 5) - 2.0
    for s in range(steps):
        for i in range(n):
            ps[i].x += ps[i].v * 0.1
            if ps[i].x > 1.0 or ps[i].x < -1.0:
                ps[i].v = -ps[i].v
    for i in range(n):
        energy += ps[i].v * ps[i].v + ps[i].x
    free(ps)
    return round(energy, 9)
