# cython: language_level=3, cdivision=True
"""Old-style for-from loops with C division and remainder of negatives."""


def centered_sums(int n, int k):
    cdef int i
    cdef long acc = 0, rem = 0
    for i from -n <= i < n:
        acc += i / k
        rem += i % k
    for i from n > i >= 0 by 2:
        acc -= i / 3
    return acc, rem
