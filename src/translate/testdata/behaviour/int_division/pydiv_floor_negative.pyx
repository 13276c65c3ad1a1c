# cython: language_level=3
"""Without cdivision, // and % on C ints keep Python's floor semantics."""


def floor_stats(int n, int d, int seed):
    cdef int i, v
    cdef long q_sum = 0, r_sum = 0
    cdef int state = seed
    for i in range(n):
        state = (state * 3037 + 17) % 30011
        v = state % 401 - 200
        q_sum += v // d
        r_sum += v % d
    return q_sum, r_sum
