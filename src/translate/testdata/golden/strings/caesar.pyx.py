"""Caesar cipher over ASCII letters using char arithmetic.

Keywords: cipher, char, bytes
"""


def shift_char(c: int, shift: int) -> int:
    if c >= 97 and c <= 122:
        return int((c - 97 + shift) % 26 + 97)
    if c >= 65 and c <= 90:
        return int((c - 65 + shift) % 26 + 65)
    return c


def encrypt(message: str, shift: int):
    """Shift every ASCII letter of message by `shift` places."""
    raw: bytes = message.encode("ascii")
    out: bytearray = bytearray(len(raw))
    i: int
    for i in range(len(raw)):
        out[i] = shift_char(raw[i], shift % 26)
    return out.decode("ascii")


def decrypt(message: str, shift: int):
    return encrypt(message, 26 - shift % 26)
