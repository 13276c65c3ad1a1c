# cython: language_level=3
"""cpdef integer helpers (gcd, modular power) used from a def driver."""


cpdef long gcd(long a, long b):
    while b:
        a, b = b, a % b
    return a


cpdef long powmod(long base, long exp, long mod):
    cdef long result = 1
    base %= mod
    while exp > 0:
        if exp & 1:
            result = result * base % mod
        base = base * base % mod
        exp >>= 1
    return result


def number_theory(int n, int seed):
    cdef long acc = 0, g = 0
    cdef int i
    for i in range(1, n + 1):
        g += gcd(i * seed, n)
        acc = (acc + powmod(i, seed, 1000003)) % 1000003
    return g, acc
