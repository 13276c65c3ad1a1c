"""Particle system stored as a malloc'ed array of structs.

Keywords: struct array, malloc, simulation
"""
from libc.stdlib cimport malloc, free


ctypedef struct Particle:
    double x
    double v
    double mass


cdef class ParticleSystem:
    cdef Particle* particles
    cdef readonly int n

    def __cinit__(self, int n):
        self.n = n
        self.particles = <Particle*>malloc(n * sizeof(Particle))
        if not self.particles:
            raise MemoryError()
        cdef int i
        for i in range(n):
            self.particles[i].x = <double>i
            self.particles[i].v = 0.0
            self.particles[i].mass = 1.0

    def __dealloc__(self):
        free(self.particles)

    def push(self, int index, double impulse):
        cdef Particle* p = &self.particles[index]
        p.v += impulse / p.mass

    def step(self, double dt):
        cdef int i
        for i in range(self.n):
            self.particles[i].x += self.particles[i].v * dt

    def positions(self):
        return [self.particles[i].x for i in range(self.n)]
