"""Primality testing and prime counting with typed integer loops.

Keywords: primes, integers, cpdef
"""

cdef bint _is_odd_prime(long n):
    cdef long d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


cpdef bint is_prime(long n):
    """Return True when n is a prime number."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    return _is_odd_prime(n)


cpdef int count_primes(int limit) except -1:
    """Count the primes strictly below limit."""
    if limit < 0:
        raise ValueError("limit must be non-negative")
    cdef int count = 0
    cdef int k
    for k in range(2, limit):
        if is_prime(k):
            count += 1
    return count


def nth_prime(int n):
    """Return the n-th prime (1-based)."""
    cdef int found = 0
    cdef long candidate = 1
    while found < n:
        candidate += 1
        if is_prime(candidate):
            found += 1
    return candidate
