# cython: language_level=3
"""A cdef double function returning an int expression yields a float."""


cdef double area(int w, int h):
    return w * h


cdef int perimeter(int w, int h):
    return 2 * (w + h)


def rectangles(int n):
    cdef double a = 0.0
    cdef int p = 0, i
    for i in range(1, n + 1):
        a += area(i, i + 1)
        p += perimeter(i, 2)
    return a, p, area(2, 3)
