# cython: language_level=3
"""A helper fills a caller's C array through an int* parameter."""


cdef void fill_squares(int* out, int n, int offset):
    cdef int i
    for i in range(n):
        out[i] = (i + offset) * (i + offset) % 1009


def squares_digest(int n, int offset):
    cdef int buf[128]
    cdef int i
    cdef long digest = 0
    if n > 128:
        n = 128
    fill_squares(buf, n, offset)
    for i in range(n):
        digest = (digest * 17 + buf[i]) % 1000000007
    return digest, buf[n - 1]
