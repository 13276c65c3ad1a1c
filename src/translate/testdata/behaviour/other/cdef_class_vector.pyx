# cython: language_level=3
"""A cdef class with typed fields and cpdef methods used in a simulation loop."""


cdef class Vec2:
    cdef public double x, y

    def __init__(self, double x, double y):
        self.x = x
        self.y = y

    cpdef double dot(self, Vec2 other):
        return self.x * other.x + self.y * other.y

    cpdef Vec2 scaled(self, double k):
        return Vec2(self.x * k, self.y * k)


def simulate(int steps, int seed):
    cdef Vec2 pos = Vec2(0, 0)
    cdef Vec2 vel = Vec2(1, seed % 5)
    cdef int i
    cdef double energy = 0.0
    for i in range(steps):
        pos = Vec2(pos.x + vel.x, pos.y + vel.y)
        vel = vel.scaled(0.9)
        energy += vel.dot(vel)
    return round(pos.x, 9), round(pos.y, 9), round(energy, 9)
