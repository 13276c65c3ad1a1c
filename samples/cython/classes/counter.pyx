"""Fixed-range integer frequency counter backed by a C array.

Keywords: cdef class, __cinit__, __dealloc__, malloc
"""
from libc.stdlib cimport calloc, free


cdef class BoundedCounter:
    """Counts occurrences of integers in [0, size)."""
    cdef int* counts
    cdef readonly int size
    cdef public long total

    def __cinit__(self, int size):
        if size <= 0:
            raise ValueError("size must be positive")
        self.counts = <int*>calloc(size, sizeof(int))
        if self.counts == NULL:
            raise MemoryError()
        self.size = size
        self.total = 0

    def __dealloc__(self):
        if self.counts != NULL:
            free(self.counts)

    cpdef void add(self, int value) except *:
        if value < 0 or value >= self.size:
            raise IndexError(value)
        self.counts[value] += 1
        self.total += 1

    def count(self, int value):
        if value < 0 or value >= self.size:
            return 0
        return self.counts[value]

    def most_common(self):
        cdef int i, best = 0
        for i in range(1, self.size):
            if self.counts[i] > self.counts[best]:
                best = i
        return best
