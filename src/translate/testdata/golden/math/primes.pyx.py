"""Primality testing and prime counting with typed integer loops.

Keywords: primes, integers, cpdef
"""

def _is_odd_prime(n: int) -> bool:
    d: int = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def is_prime(n: int) -> bool:
    """Return True when n is a prime number."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    return _is_odd_prime(n)


def count_primes(limit: int) -> int:
    """Count the primes strictly below limit."""
    if limit < 0:
        raise ValueError("limit must be non-negative")
    count: int = 0
    k: int
    for k in range(2, limit):
        if is_prime(k):
            count += 1
    return count


def nth_prime(n: int):
    """Return the n-th prime (1-based)."""
    found: int = 0
    candidate: int = 1
    while found < n:
        candidate += 1
        if is_prime(candidate):
            found += 1
    return candidate
