# cython: language_level=3
"""cdef class C fields start at zero without an __init__ assigning them."""


cdef class Accumulator:
    cdef long count
    cdef double total
    cdef int peak

    def add(self, int v):
        self.count += 1
        self.total += v * 0.5
        if v > self.peak:
            self.peak = v

    def summary(self):
        return self.count, self.total, self.peak


def accumulate(int n, int seed):
    acc = Accumulator()
    cdef int i
    for i in range(n):
        acc.add((i * seed) % 37)
    return acc.summary()
