"""Tiny arithmetic tokenizer scanning a C string with a cursor.

Keywords: tokenizer, char pointer, parsing
"""


def is_digit(c: int) -> bool:
    return c >= 48 and c <= 57


def tokenize(expression: str):
    """Split '12+3*(4-1)' into ['12', '+', '3', '*', '(', '4', '-', '1', ')']."""
    encoded: bytes = expression.encode("ascii")
    s: bytes = encoded
    n: int = len(s)
    i: int = 0
    start: int
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
