# cython: language_level=3
"""Factorials and binomials modulo a prime with long long products."""


cdef long long MOD = 1000000007


cdef long long power(long long b, long long e):
    cdef long long r = 1
    b %= MOD
    while e > 0:
        if e & 1:
            r = r * b % MOD
        b = b * b % MOD
        e >>= 1
    return r


def binomials(int n, int k):
    cdef long long fact = 1, inv, result
    cdef int i
    for i in range(1, n + 1):
        fact = fact * i % MOD
    cdef long long kf = 1, nkf = 1
    for i in range(1, k + 1):
        kf = kf * i % MOD
    for i in range(1, n - k + 1):
        nkf = nkf * i % MOD
    inv = power(kf * nkf % MOD, MOD - 2)
    result = fact * inv % MOD
    return fact, result
