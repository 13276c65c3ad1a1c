"""Fixed-capacity ring buffer of doubles owning a C array.

Keywords: ring buffer, __cinit__, __dealloc__, pointers
"""
from libc.stdlib cimport malloc, free


cdef class RingBuffer:
    cdef double* data
    cdef readonly Py_ssize_t capacity
    cdef Py_ssize_t head
    cdef readonly Py_ssize_t count

    def __cinit__(self, Py_ssize_t capacity):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.data = <double*>malloc(capacity * sizeof(double))
        if self.data is NULL:
            raise MemoryError()
        self.capacity = capacity
        self.head = 0
        self.count = 0

    def __dealloc__(self):
        free(self.data)

    cpdef void push(self, double value):
        cdef Py_ssize_t slot = (self.head + self.count) % self.capacity
        self.data[slot] = value
        if self.count < self.capacity:
            self.count += 1
        else:
            self.head = (self.head + 1) % self.capacity

    cpdef double average(self) except? -1.0:
        cdef Py_ssize_t i
        cdef double total = 0.0
        if self.count == 0:
            raise ValueError("empty buffer")
        for i in range(self.count):
            total += self.data[(self.head + i) % self.capacity]
        return total / self.count

    def to_list(self):
        return [self.data[(self.head + i) % self.capacity] for i in range(self.count)]
