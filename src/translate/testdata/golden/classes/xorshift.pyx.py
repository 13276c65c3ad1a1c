"""Deterministic xorshift64 pseudo-random generator as an extension type.

Keywords: random, bit operations, unsigned
"""

u64 = int


class XorShift64:
    state: int = 0

    def __init__(self, seed: int = 88172645463325252):
        if seed == 0:
            seed = 1
        self.state = seed

    def _next(self) -> int:
        x: int = self.state
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.state = x
        return x

    def next_int(self):
        return self._next()

    def randrange(self, n: int):
        if n == 0:
            raise ValueError("empty range")
        return int(self._next() % n)

    def random(self):
        """Uniform float in [0, 1)."""
        return float(self._next() >> 11) / 9007199254740992.0
