# cython: language_level=3
"""64-bit signed LCG (Knuth MMIX constants): the product wraps in long long."""


def mmix_stream(int n, long long seed):
    cdef long long x = seed
    cdef long long total = 0
    cdef long long a = 6364136223846793005
    cdef long long c = 1442695040888963407
    cdef int i, negatives = 0
    for i in range(n):
        x = x * a + c
        if x < 0:
            negatives += 1
        total ^= x
    return x, total, negatives
