# cython: language_level=3
"""Count equal fixed-size blocks in a byte buffer with memcmp."""
from libc.stdlib cimport malloc, free
from libc.string cimport memcmp


def equal_blocks(int nblocks, int width, int seed):
    cdef int n = nblocks * width
    cdef unsigned char* buf = <unsigned char*>malloc(n)
    cdef int i, j, same = 0, first_less = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        buf[i] = (state >> 24) & 3
    for i in range(nblocks):
        for j in range(i + 1, nblocks):
            if memcmp(buf + i * width, buf + j * width, width) == 0:
                same += 1
            elif memcmp(buf + i * width, buf + j * width, width) < 0:
                first_less += 1
    free(buf)
    return same, first_less
