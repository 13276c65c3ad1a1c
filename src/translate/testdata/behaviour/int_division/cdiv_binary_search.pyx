# cython: language_level=3
"""Binary search with mid = (lo + hi) / 2 under cdivision."""
cimport cython


@cython.cdivision(True)
cdef int lower_bound(int* a, int n, int target):
    cdef int lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) / 2
        if a[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def search_positions(int n, int queries, int seed):
    cdef int arr[512]
    cdef int i, found = 0
    cdef long pos_sum = 0
    cdef unsigned int state = seed
    if n > 512:
        n = 512
    for i in range(n):
        arr[i] = i * 3 + (i % 2)
    for i in range(queries):
        state = state * 1664525 + 1013904223
        pos = lower_bound(arr, n, (state >> 8) % (n * 3 + 5))
        pos_sum += pos
        if pos < n and arr[pos] == (state >> 8) % (n * 3 + 5):
            found += 1
    return pos_sum, found
