"""Vector norms over NumPy arrays through the NumPy C API declarations.

Keywords: numpy, cimport numpy, norms
"""

from __future__ import annotations

import numpy as np
import numpy as cnp
from math import sqrt, fabs


def l2_norm(v: cnp.ndarray):
    """Euclidean norm of a 1-D float64 array."""
    i: int
    acc: float = 0.0
    for i in range(v.shape[0]):
        acc += v[i] * v[i]
    return sqrt(acc)


def l1_norm(v: list[float]):
    i: int
    acc: float = 0.0
    for i in range(len(v)):
        acc += fabs(v[i])
    return acc


def normalize(v):
    """Return v scaled to unit Euclidean length (zero vectors unchanged)."""
    arr = np.asarray(v, dtype=np.float64)
    n = l2_norm(arr)
    if n == 0.0:
        return arr
    return arr / n
