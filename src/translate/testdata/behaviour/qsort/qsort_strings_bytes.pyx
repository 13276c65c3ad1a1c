# cython: language_level=3
"""qsort of an unsigned char array (bytes), then run-length statistics."""
from libc.stdlib cimport malloc, free, qsort


cdef int cmp_uchar(const void* a, const void* b) noexcept nogil:
    return (<const unsigned char*>a)[0] - (<const unsigned char*>b)[0]


def sorted_runs(int n, int seed):
    cdef unsigned char* buf = <unsigned char*>malloc(n)
    cdef int i, runs = 1, longest = 1, cur = 1
    for i in range(n):
        buf[i] = (i * seed + 17) % 26 + 97
    qsort(buf, n, 1, cmp_uchar)
    for i in range(1, n):
        if buf[i] == buf[i - 1]:
            cur += 1
        else:
            runs += 1
            cur = 1
        if cur > longest:
            longest = cur
    cdef int first = buf[0], last = buf[n - 1]
    free(buf)
    return runs, longest, first, last
