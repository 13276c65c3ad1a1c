# cython: language_level=3
"""Sieve of Eratosthenes in a malloc'd char buffer set with memset."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset


def prime_stats(int limit):
    cdef char* is_prime = <char*>malloc(limit + 1)
    cdef int i, j, count = 0
    cdef long long total = 0
    memset(is_prime, 1, limit + 1)
    is_prime[0] = 0
    if limit >= 1:
        is_prime[1] = 0
    i = 2
    while i * i <= limit:
        if is_prime[i]:
            j = i * i
            while j <= limit:
                is_prime[j] = 0
                j += i
        i += 1
    for i in range(limit + 1):
        if is_prime[i]:
            count += 1
            total += i
    free(is_prime)
    return count, total
