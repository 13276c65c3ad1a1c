"""Integer histogram with bins stored in a calloc'ed counts array."""
from libc.stdlib cimport calloc, free
from libc.math cimport floor


def histogram(list samples, double low, double high, int bins):
    """Count samples falling in each of `bins` equal-width bins over [low, high)."""
    cdef int* counts
    cdef int i, k
    cdef double width
    if bins <= 0 or high <= low:
        raise ValueError("invalid bin specification")
    counts = <int*>calloc(bins, sizeof(int))
    if counts == NULL:
        raise MemoryError()
    width = (high - low) / bins
    for value in samples:
        if value < low or value >= high:
            continue
        k = <int>floor((value - low) / width)
        if k >= bins:
            k = bins - 1
        counts[k] += 1
    result = [counts[i] for i in range(bins)]
    free(counts)
    return result
