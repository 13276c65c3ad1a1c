# cython: language_level=3, cdivision=True
"""Integer mean and remainders of signed values under cdivision."""


def signed_mean(int n, int seed):
    cdef int i, v, total = 0, rem_sum = 0
    cdef int state = seed
    for i in range(n):
        state = (state * 1103 + 12345) % 65521
        v = state % 201 - 100
        total += v
        rem_sum += v % 7
    cdef int mean = total / n
    return mean, rem_sum, total
