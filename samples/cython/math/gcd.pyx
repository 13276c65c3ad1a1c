"""Greatest common divisor and least common multiple on wide integers."""

cdef inline long long _gcd(long long a, long long b) noexcept:
    cdef long long t
    if a < 0:
        a = -a
    if b < 0:
        b = -b
    while b != 0:
        t = b
        b = a % b
        a = t
    return a


cpdef long long gcd(long long a, long long b):
    """Greatest common divisor, always non-negative."""
    return _gcd(a, b)


cpdef long long lcm(long long a, long long b) except? -1:
    """Least common multiple, always non-negative; zero input is rejected."""
    if a == 0 or b == 0:
        raise ValueError("lcm of zero is undefined here")
    cdef long long result = (a // _gcd(a, b)) * b
    return result if result >= 0 else -result


def coprime_count(unsigned int n):
    """Euler's totient by direct counting (fine for small n)."""
    cdef unsigned int k
    cdef unsigned int total = 0
    for k in range(1, n + 1):
        if _gcd(k, n) == 1:
            total += 1
    return total
