# cython: language_level=3
"""A cdef class owning a malloc'd buffer (__cinit__/__dealloc__) used as a histogram."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset


cdef class Histogram:
    cdef long* counts
    cdef int nbins

    def __cinit__(self, int nbins):
        self.nbins = nbins
        self.counts = <long*>malloc(nbins * sizeof(long))
        memset(self.counts, 0, nbins * sizeof(long))

    def __dealloc__(self):
        free(self.counts)

    cpdef void add(self, int v):
        self.counts[v % self.nbins] += 1

    cpdef long peak(self):
        cdef long best = 0
        cdef int i
        for i in range(self.nbins):
            if self.counts[i] > best:
                best = self.counts[i]
        return best


def histogram_peak(int n, int nbins, int seed):
    h = Histogram(nbins)
    cdef int i
    for i in range(n):
        h.add((i * seed * 31 + 7) % 1000)
    return h.peak()
