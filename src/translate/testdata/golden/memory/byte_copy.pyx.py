"""Byte-level copying and reversal through char pointers and memcpy.

Keywords: memcpy, char*, bytes
"""


def duplicate(data: bytes):
    """Return a copy of data made with memcpy."""
    n: int = len(data)
    src: bytes = data
    dst: bytearray = bytearray(n + 1)
    if dst is None:
        raise MemoryError()
    try:
        dst[:n] = src[:n]
        dst[n] = 0
        return dst[:n]
    finally:
        pass


def reversed_bytes(data: bytes):
    """Reverse a byte string."""
    i: int
    n: int = len(data)
    src: bytes = data
    out = bytearray(n)
    for i in range(n):
        out[i] = src[n - 1 - i]
    return bytes(out)


def c_length(data: bytes):
    """Length up to the first NUL byte."""
    return len(data)
