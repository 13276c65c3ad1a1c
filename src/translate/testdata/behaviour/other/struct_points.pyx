# cython: language_level=3
"""An array of structs: centroid and bounding box of generated points."""


cdef struct Point:
    double x
    double y


def centroid(int n, int seed):
    cdef Point pts[100]
    cdef int i
    cdef double cx = 0.0, cy = 0.0
    cdef unsigned int state = seed
    if n > 100:
        n = 100
    for i in range(n):
        state = state * 1103515245 + 12345
        pts[i].x = (state >> 16) % 100
        state = state * 1103515245 + 12345
        pts[i].y = (state >> 16) % 100
    for i in range(n):
        cx += pts[i].x
        cy += pts[i].y
    return cx / n, cy / n, pts[0].x
