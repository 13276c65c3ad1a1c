# cython: language_level=3
"""Fill a malloc'd char buffer with memset, then mark positions."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset


def marked_positions(int n, int step, int seed):
    cdef char* buf = <char*>malloc(n + 1)
    cdef int i, hashes = 0, dots = 0
    cdef unsigned int h = seed
    if buf == NULL:
        raise MemoryError()
    memset(buf, ord('.'), n)
    buf[n] = 0
    for i in range(0, n, step):
        buf[i] = ord('#')
    for i in range(n):
        if buf[i] == ord('#'):
            hashes += 1
        else:
            dots += 1
        h = (h * 31 + <unsigned char>buf[i]) & 0xFFFFF
    free(buf)
    return hashes, dots, h
