# cython: language_level=3
"""A cvarray of C ints viewed through int[:], filled then reduced."""
from cython.view cimport array as cvarray


def cvarray_sums(int n, int seed):
    cdef int[:] values = cvarray(shape=(n,), itemsize=sizeof(int), format="i")
    cdef int i
    cdef long total = 0, evens = 0
    cdef int state = seed
    for i in range(n):
        state = (state * 1103 + 12345) % 65536
        values[i] = state % 1000
    for i in range(values.shape[0]):
        total += values[i]
        if values[i] % 2 == 0:
            evens += 1
    return total, evens
