# cython: language_level=3
"""Running median of windows, each window copied and sorted with qsort."""
from libc.stdlib cimport malloc, free, qsort
from libc.string cimport memcpy


cdef int cmp_ll(const void* a, const void* b) noexcept nogil:
    cdef long long x = (<long long*>a)[0]
    cdef long long y = (<long long*>b)[0]
    return (x > y) - (x < y)


def window_medians(int n, int w, int seed):
    cdef long long* data = <long long*>malloc(n * sizeof(long long))
    cdef long long* win = <long long*>malloc(w * sizeof(long long))
    cdef int i
    cdef long long state = seed, total = 0
    for i in range(n):
        state = (state * 6364136223 + 1442695) % 1000000007
        data[i] = state % 10000
    for i in range(n - w + 1):
        memcpy(win, &data[i], w * sizeof(long long))
        qsort(win, w, sizeof(long long), cmp_ll)
        total += win[w // 2]
    free(data)
    free(win)
    return total
