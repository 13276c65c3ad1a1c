# cython: language_level=3
"""Mandelbrot escape counts on a small grid (doubles, while loops, int casts)."""


cdef int escape(double cr, double ci, int max_iter):
    cdef double zr = 0.0, zi = 0.0, t
    cdef int k = 0
    while k < max_iter and zr * zr + zi * zi <= 4.0:
        t = zr * zr - zi * zi + cr
        zi = 2.0 * zr * zi + ci
        zr = t
        k += 1
    return k


def mandel(int w, int h, int max_iter):
    cdef int x, y, inside = 0
    cdef long total = 0
    cdef double cr, ci
    for y in range(h):
        for x in range(w):
            cr = -2.0 + 3.0 * x / w
            ci = -1.5 + 3.0 * y / h
            k = escape(cr, ci, max_iter)
            total += k
            if k == max_iter:
                inside += 1
    return total, inside
