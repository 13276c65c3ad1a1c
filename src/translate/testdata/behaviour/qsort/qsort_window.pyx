# cython: language_level=3
"""Sort only a window of an array in place with qsort on &arr[start]."""
from libc.stdlib cimport qsort


cdef int ascending(const void* a, const void* b) noexcept nogil:
    return (<const long*>a)[0] - (<const long*>b)[0]


def window_sort(int n, int start, int count, int seed):
    cdef long arr[100]
    cdef int i
    cdef long state = seed
    if n > 100:
        n = 100
    for i in range(n):
        state = (state * 16807) % 2147483647
        arr[i] = state % 500
    if start + count > n:
        count = n - start
    qsort(&arr[start], count, sizeof(long), ascending)
    cdef long digest = 0
    for i in range(n):
        digest = digest * 3 + arr[i] * (i + 1)
        digest %= 998244353
    return arr[start], digest
