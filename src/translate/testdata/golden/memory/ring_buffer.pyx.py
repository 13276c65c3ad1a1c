"""Fixed-capacity ring buffer of doubles owning a C array.

Keywords: ring buffer, __cinit__, __dealloc__, pointers
"""


class RingBuffer:
    data: list[float] | None = None
    capacity: int = 0
    head: int = 0
    count: int = 0

    def __init__(self, capacity: int):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.data = [0.0] * capacity
        if self.data is None:
            raise MemoryError()
        self.capacity = capacity
        self.head = 0
        self.count = 0

    # __dealloc__ removed: Python releases the memory automatically

    def push(self, value: float) -> None:
        slot: int = (self.head + self.count) % self.capacity
        self.data[slot] = value
        if self.count < self.capacity:
            self.count += 1
        else:
            self.head = (self.head + 1) % self.capacity

    def average(self) -> float:
        i: int
        total: float = 0.0
        if self.count == 0:
            raise ValueError("empty buffer")
        for i in range(self.count):
            total += self.data[(self.head + i) % self.capacity]
        return total / self.count

    def to_list(self):
        return [self.data[(self.head + i) % self.capacity] for i in range(self.count)]
