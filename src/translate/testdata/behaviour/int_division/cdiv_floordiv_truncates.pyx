# cython: language_level=3
"""With cdivision, even '//' between C ints truncates toward zero."""
cimport cython


@cython.cdivision(True)
def truncated_quotients(int n, int d, int seed):
    cdef int i, v
    cdef long qs = 0
    cdef int state = seed
    for i in range(n):
        state = (state * 1103 + 7) % 10007
        v = state % 101 - 50
        qs += v // d + (v % d) * 1000
    return qs
