"""Run-length encoding of strings, kept pure Python for easy testing.

Keywords: pure python, compression, run-length
"""


def encode(text):
    """'aaabcc' -> [('a', 3), ('b', 1), ('c', 2)]."""
    runs = []
    for ch in text:
        if runs and runs[-1][0] == ch:
            runs[-1] = (ch, runs[-1][1] + 1)
        else:
            runs.append((ch, 1))
    return runs


def decode(runs):
    """Inverse of encode."""
    return "".join(ch * count for ch, count in runs)


def compress_ratio(text):
    """Number of runs divided by the text length (1.0 for empty text)."""
    if not text:
        return 1.0
    return len(encode(text)) / len(text)
