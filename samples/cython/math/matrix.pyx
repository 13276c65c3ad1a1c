# cython: boundscheck=False
# cython: wraparound=False
"""Small dense matrix helpers on 2-D typed memoryviews."""
cimport cython


def transpose(int[:, :] m):
    """Return the transpose of m as a list of lists."""
    cdef Py_ssize_t rows = m.shape[0]
    cdef Py_ssize_t cols = m.shape[1]
    cdef Py_ssize_t i, j
    out = [[0] * rows for _ in range(cols)]
    for i in range(rows):
        for j in range(cols):
            out[j][i] = m[i, j]
    return out


cpdef long trace(int[:, :] m):
    """Sum of the main diagonal."""
    cdef Py_ssize_t i
    cdef long acc = 0
    for i in range(min(m.shape[0], m.shape[1])):
        acc += m[i, i]
    return acc


def matvec(double[:, ::1] a, double[::1] x):
    """Multiply a C-contiguous matrix by a vector."""
    cdef Py_ssize_t i, j
    cdef double s
    if a.shape[1] != x.shape[0]:
        raise ValueError("shape mismatch")
    result = []
    for i in range(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j] * x[j]
        result.append(s)
    return result
