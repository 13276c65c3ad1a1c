"""Fixed-range integer frequency counter backed by a C array.

Keywords: cdef class, __cinit__, __dealloc__, malloc
"""


class BoundedCounter:
    """Counts occurrences of integers in [0, size)."""
    counts: list[int] | None = None
    size: int = 0
    total: int = 0

    def __init__(self, size: int):
        if size <= 0:
            raise ValueError("size must be positive")
        self.counts = [0] * size
        if self.counts is None:
            raise MemoryError()
        self.size = size
        self.total = 0

    # __dealloc__ removed: Python releases the memory automatically

    def add(self, value: int) -> None:
        if value < 0 or value >= self.size:
            raise IndexError(value)
        self.counts[value] += 1
        self.total += 1

    def count(self, value: int):
        if value < 0 or value >= self.size:
            return 0
        return self.counts[value]

    def most_common(self):
        i: int
        best: int = 0
        for i in range(1, self.size):
            if self.counts[i] > self.counts[best]:
                best = i
        return best
