# cython: language_level=3
"""A cdef class holding a fixed C array field and a fill counter."""


cdef class RingBuffer:
    cdef double data[16]
    cdef int head, size

    def __cinit__(self):
        self.head = 0
        self.size = 0

    cdef void push(self, double v):
        self.data[self.head] = v
        self.head = (self.head + 1) % 16
        if self.size < 16:
            self.size += 1

    cdef double mean(self):
        cdef double s = 0.0
        cdef int i
        for i in range(self.size):
            s += self.data[i]
        return s / self.size if self.size else 0.0


def ring_means(int n, int seed):
    cdef RingBuffer rb = RingBuffer()
    cdef int i
    cdef double acc = 0.0
    for i in range(n):
        rb.push(((i * seed) % 23) * 0.5)
        acc += rb.mean()
    return round(acc, 9), rb.size
