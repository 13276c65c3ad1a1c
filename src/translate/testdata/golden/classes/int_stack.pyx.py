"""Growable integer stack with an explicit capacity policy.

Keywords: stack, except?, cdef class
"""


class IntStack:
    _items: list | None = None
    _capacity: int = 0

    def __init__(self, capacity: int = 16):
        self._items = []
        self._capacity = capacity

    def push(self, value: int) -> None:
        if len(self._items) >= self._capacity:
            self._capacity *= 2
        self._items.append(value)

    def pop(self) -> int:
        if not self._items:
            raise IndexError("pop from empty stack")
        return self._items.pop()

    def peek(self) -> int:
        if not self._items:
            raise IndexError("peek at empty stack")
        return self._items[-1]

    def __len__(self):
        return len(self._items)

    @property
    def capacity(self):
        return self._capacity
