"""Packed network-style header parsed from raw bytes.

Keywords: packed struct, ctypedef, bit manipulation
"""

ctypedef unsigned char uint8
ctypedef unsigned short uint16


cdef packed struct Header:
    uint8 version
    uint8 flags
    uint16 length


cdef Header parse_header(bytes raw) except *:
    cdef Header h
    if len(raw) < 4:
        raise ValueError("header too short")
    h.version = raw[0]
    h.flags = raw[1]
    h.length = (raw[2] << 8) | raw[3]
    return h


def describe(bytes raw):
    """Return (version, flags, length) decoded from the first four bytes."""
    cdef Header h = parse_header(raw)
    return (h.version, h.flags, h.length)


cpdef bint has_flag(uint8 flags, int bit):
    return (flags >> bit) & 1 == 1
