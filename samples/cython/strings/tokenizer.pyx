"""Tiny arithmetic tokenizer scanning a C string with a cursor.

Keywords: tokenizer, char pointer, parsing
"""
from libc.string cimport strlen


cdef bint is_digit(char c) noexcept nogil:
    return c >= 48 and c <= 57


def tokenize(str expression):
    """Split '12+3*(4-1)' into ['12', '+', '3', '*', '(', '4', '-', '1', ')']."""
    cdef bytes encoded = expression.encode("ascii")
    cdef const char* s = encoded
    cdef size_t n = strlen(s)
    cdef size_t i = 0, start
    tokens = []
    while i < n:
        if s[i] == 32:
            i += 1
        elif is_digit(s[i]):
            start = i
            while i < n and is_digit(s[i]):
                i += 1
            tokens.append(encoded[start:i].decode("ascii"))
        else:
            tokens.append(chr(s[i]))
            i += 1
    return tokens
