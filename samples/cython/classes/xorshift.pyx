"""Deterministic xorshift64 pseudo-random generator as an extension type.

Keywords: random, bit operations, unsigned
"""
cimport cython

ctypedef unsigned long long u64


cdef class XorShift64:
    cdef u64 state

    def __cinit__(self, u64 seed=88172645463325252):
        if seed == 0:
            seed = 1
        self.state = seed

    @cython.cdivision(True)
    cdef inline u64 _next(self) noexcept:
        cdef u64 x = self.state
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.state = x
        return x

    def next_int(self):
        return self._next()

    def randrange(self, unsigned int n):
        if n == 0:
            raise ValueError("empty range")
        return <unsigned int>(self._next() % n)

    def random(self):
        """Uniform float in [0, 1)."""
        return <double>(self._next() >> 11) / 9007199254740992.0
