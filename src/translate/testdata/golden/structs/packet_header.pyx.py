"""Packed network-style header parsed from raw bytes.

Keywords: packed struct, ctypedef, bit manipulation
"""

from __future__ import annotations

from dataclasses import dataclass

uint8 = int
uint16 = int


@dataclass
class Header:
    version: int = 0
    flags: int = 0
    length: int = 0


def parse_header(raw: bytes) -> Header:
    h: Header = Header()
    if len(raw) < 4:
        raise ValueError("header too short")
    h.version = raw[0]
    h.flags = raw[1]
    h.length = (raw[2] << 8) | raw[3]
    return h


def describe(raw: bytes):
    """Return (version, flags, length) decoded from the first four bytes."""
    h: Header = parse_header(raw)
    return (h.version, h.flags, h.length)


def has_flag(flags: int, bit: int) -> bool:
    return (flags >> bit) & 1 == 1
