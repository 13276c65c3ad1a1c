# distutils: language = c++
# cython: language_level=3
"""priority_queue (a max-heap) yields the k largest values first."""
from libcpp.queue cimport priority_queue


def top_values(int n, int k, int seed):
    cdef priority_queue[int] pq
    cdef int i
    cdef unsigned int state = seed
    cdef long weighted = 0
    for i in range(n):
        state = state * 1664525 + 1013904223
        pq.push((state >> 8) % 10000)
    cdef int first = pq.top()
    i = 0
    while not pq.empty() and i < k:
        weighted += pq.top() * (i + 1)
        pq.pop()
        i += 1
    return first, weighted, pq.size()
