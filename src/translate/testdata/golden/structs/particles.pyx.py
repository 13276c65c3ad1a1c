"""Particle system stored as a malloc'ed array of structs.

Keywords: struct array, malloc, simulation
"""

from dataclasses import dataclass


@dataclass
class Particle:
    x: float = 0.0
    v: float = 0.0
    mass: float = 0.0


class ParticleSystem:
    particles = None
    n: int = 0

    def __init__(self, n: int):
        self.n = n
        self.particles = [Particle() for _ in range(n)]
        if self.particles is None:
            raise MemoryError()
        i: int
        for i in range(n):
            self.particles[i].x = float(i)
            self.particles[i].v = 0.0
            self.particles[i].mass = 1.0

    # __dealloc__ removed: Python releases the memory automatically

    def push(self, index: int, impulse: float):
        p = self.particles[index]
        p.v += impulse / p.mass

    def step(self, dt: float):
        i: int
        for i in range(self.n):
            self.particles[i].x += self.particles[i].v * dt

    def positions(self):
        return [self.particles[i].x for i in range(self.n)]
