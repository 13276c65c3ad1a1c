# cython: language_level=3
"""An unsigned char cvarray used as an 8-bit image; brightening saturates."""
from cython.view cimport array as cvarray


def brighten(int w, int h, int delta, int seed):
    cdef unsigned char[:, :] img = cvarray(shape=(h, w), itemsize=1, format="B")
    cdef int x, y, v, clipped = 0
    cdef long total = 0
    for y in range(h):
        for x in range(w):
            img[y, x] = (x * 7 + y * 13 + seed) % 256
    for y in range(h):
        for x in range(w):
            v = img[y, x] + delta
            if v > 255:
                v = 255
                clipped += 1
            img[y, x] = v
            total += img[y, x]
    return total, clipped
