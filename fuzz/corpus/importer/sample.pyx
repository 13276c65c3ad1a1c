"""Vector norms over NumPy arrays through the NumPy C API declarations.

Keywords: numpy, cimport numpy, norms
"""
import numpy as np
cimport numpy as cnp
from libc.math cimport sqrt, fabs

cnp.import_array()


def l2_norm(cnp.ndarray[cnp.float64_t, ndim=1] v):
    """Euclidean norm of a 1-D float64 array."""
    cdef Py_ssize_t i
    cdef double acc = 0.0
    for i in range(v.shape[0]):
        acc += v[i] * v[i]
    return sqrt(acc)


def l1_norm(double[:] v):
    cdef Py_ssize_t i
    cdef double acc = 0.0
    for i in range(v.shape[0]):
        acc += fabs(v[i])
    return acc


def normalize(v):
    """Return v scaled to unit Euclidean length (zero vectors unchanged)."""
    arr = np.asarray(v, dtype=np.float64)
    n = l2_norm(arr)
    if n == 0.0:
        return arr
    return arr / n
