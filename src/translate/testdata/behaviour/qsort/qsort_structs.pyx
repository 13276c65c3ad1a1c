# cython: language_level=3
"""Sort records by key then by weight with qsort on a struct array."""
from libc.stdlib cimport malloc, free, qsort


cdef struct Record:
    int key
    double weight


cdef int record_cmp(const void* a, const void* b) noexcept nogil:
    cdef Record* ra = <Record*>a
    cdef Record* rb = <Record*>b
    if ra.key != rb.key:
        return ra.key - rb.key
    if ra.weight < rb.weight:
        return -1
    if ra.weight > rb.weight:
        return 1
    return 0


def sorted_records(int n, int seed):
    cdef Record* recs = <Record*>malloc(n * sizeof(Record))
    cdef int i
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        recs[i].key = (state >> 16) % 10
        recs[i].weight = ((state >> 4) % 1000) / 8.0
    qsort(recs, n, sizeof(Record), record_cmp)
    cdef double signature = 0.0
    for i in range(n):
        signature += recs[i].key * 1000 + recs[i].weight * (i % 5)
    cdef int first_key = recs[0].key
    free(recs)
    return first_key, signature
