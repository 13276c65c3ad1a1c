"""Small dense matrix helpers on 2-D typed memoryviews."""


def transpose(m: list[list[int]]):
    """Return the transpose of m as a list of lists."""
    rows: int = len(m)
    cols: int = len(m[0])
    i: int
    j: int
    out = [[0] * rows for _ in range(cols)]
    for i in range(rows):
        for j in range(cols):
            out[j][i] = m[i][j]
    return out


def trace(m: list[list[int]]) -> int:
    """Sum of the main diagonal."""
    i: int
    acc: int = 0
    for i in range(min(len(m), len(m[0]))):
        acc += m[i][i]
    return acc


def matvec(a: list[list[float]], x: list[float]):
    """Multiply a C-contiguous matrix by a vector."""
    i: int
    j: int
    s: float
    if len(a[0]) != len(x):
        raise ValueError("shape mismatch")
    result = []
    for i in range(len(a)):
        s = 0.0
        for j in range(len(a[0])):
            s += a[i][j] * x[j]
        result.append(s)
    return result
