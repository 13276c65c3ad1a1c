"""Greatest common divisor and least common multiple on wide integers."""

def _gcd(a: int, b: int) -> int:
    t: int
    if a < 0:
        a = -a
    if b < 0:
        b = -b
    while b != 0:
        t = b
        b = a % b
        a = t
    return a


def gcd(a: int, b: int) -> int:
    """Greatest common divisor, always non-negative."""
    return _gcd(a, b)


def lcm(a: int, b: int) -> int:
    """Least common multiple, always non-negative; zero input is rejected."""
    if a == 0 or b == 0:
        raise ValueError("lcm of zero is undefined here")
    result: int = (a // _gcd(a, b)) * b
    return result if result >= 0 else -result


def coprime_count(n: int):
    """Euler's totient by direct counting (fine for small n)."""
    k: int
    total: int = 0
    for k in range(1, n + 1):
        if _gcd(k, n) == 1:
            total += 1
    return total
