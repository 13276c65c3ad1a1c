"""Growable integer stack with an explicit capacity policy.

Keywords: stack, except?, cdef class
"""


cdef class IntStack:
    cdef list _items
    cdef Py_ssize_t _capacity

    def __cinit__(self, Py_ssize_t capacity=16):
        self._items = []
        self._capacity = capacity

    cpdef void push(self, long value) except *:
        if len(self._items) >= self._capacity:
            self._capacity *= 2
        self._items.append(value)

    cpdef long pop(self) except? -1:
        if not self._items:
            raise IndexError("pop from empty stack")
        return self._items.pop()

    cpdef long peek(self) except? -1:
        if not self._items:
            raise IndexError("peek at empty stack")
        return self._items[-1]

    def __len__(self):
        return len(self._items)

    @property
    def capacity(self):
        return self._capacity
