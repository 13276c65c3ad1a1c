"""Caesar cipher over ASCII letters using char arithmetic.

Keywords: cipher, char, bytes
"""


cdef inline char shift_char(char c, int shift) noexcept:
    if c >= 97 and c <= 122:
        return <char>((c - 97 + shift) % 26 + 97)
    if c >= 65 and c <= 90:
        return <char>((c - 65 + shift) % 26 + 65)
    return c


def encrypt(str message, int shift):
    """Shift every ASCII letter of message by `shift` places."""
    cdef bytes raw = message.encode("ascii")
    cdef bytearray out = bytearray(len(raw))
    cdef Py_ssize_t i
    for i in range(len(raw)):
        out[i] = shift_char(raw[i], shift % 26)
    return out.decode("ascii")


def decrypt(str message, int shift):
    return encrypt(message, 26 - shift % 26)
