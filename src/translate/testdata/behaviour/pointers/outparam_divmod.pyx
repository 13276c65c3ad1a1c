# cython: language_level=3
"""Quotient returned, remainder written through a pointer."""


cdef long div_rem(long a, long b, long* rem):
    rem[0] = a % b
    return a // b


def base_digits(long value, int base):
    cdef long r
    cdef long total = 0
    cdef int count = 0
    while value > 0:
        value = div_rem(value, base, &r)
        total += r * (count + 1)
        count += 1
    return count, total
