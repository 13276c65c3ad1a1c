# cython: language_level=3, cdivision=True
"""cdivision leaves float division alone: double / int stays a true division."""


def mixed_average(int n, int seed):
    cdef double total = 0.0
    cdef int i, count = 0, isum = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 69069 + 1
        total += (state % 1000) / 7.0
        isum += (state % 1000) / 7
        count += 1
    return round(total / count, 9), isum, count / 2
