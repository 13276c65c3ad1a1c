"""Byte-level copying and reversal through char pointers and memcpy.

Keywords: memcpy, char*, bytes
"""
from libc.string cimport memcpy, strlen
from libc.stdlib cimport malloc, free


def duplicate(bytes data):
    """Return a copy of data made with memcpy."""
    cdef Py_ssize_t n = len(data)
    cdef char* src = data
    cdef char* dst = <char*>malloc(n + 1)
    if dst == NULL:
        raise MemoryError()
    try:
        memcpy(dst, src, n)
        dst[n] = 0
        return dst[:n]
    finally:
        free(dst)


def reversed_bytes(bytes data):
    """Reverse a byte string."""
    cdef Py_ssize_t i, n = len(data)
    cdef const unsigned char* src = data
    out = bytearray(n)
    for i in range(n):
        out[i] = src[n - 1 - i]
    return bytes(out)


def c_length(bytes data):
    """Length up to the first NUL byte."""
    return strlen(<char*>data)
