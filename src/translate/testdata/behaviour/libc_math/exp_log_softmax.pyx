# cython: language_level=3
"""Log-sum-exp and softmax entropy with exp and log."""
from libc.math cimport exp, log


def softmax_entropy(int n, int seed):
    cdef double xs[64]
    cdef double m, s = 0.0, ent = 0.0, p
    cdef int i
    if n > 64:
        n = 64
    for i in range(n):
        xs[i] = ((i * seed) % 17) * 0.3 - 2.0
    m = xs[0]
    for i in range(1, n):
        if xs[i] > m:
            m = xs[i]
    for i in range(n):
        s += exp(xs[i] - m)
    for i in range(n):
        p = exp(xs[i] - m) / s
        ent -= p * log(p)
    return round(m + log(s), 9), round(ent, 9)
