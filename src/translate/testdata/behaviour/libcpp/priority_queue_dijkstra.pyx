# distutils: language = c++
# cython: language_level=3
"""Dijkstra on a generated ring graph with priority_queue[pair[int, int]]."""
from libcpp.queue cimport priority_queue
from libcpp.utility cimport pair
from libcpp.vector cimport vector


def shortest_paths(int n, int seed):
    cdef vector[int] dist
    cdef priority_queue[pair[int, int]] pq
    cdef pair[int, int] top
    cdef int u, v, w, d, step
    dist.resize(n)
    for u in range(n):
        dist[u] = 1000000000
    dist[0] = 0
    pq.push(pair[int, int](0, 0))
    while not pq.empty():
        top = pq.top()
        pq.pop()
        d = -top.first
        u = top.second
        if d > dist[u]:
            continue
        for step in (1, 3, 7):
            v = (u + step) % n
            w = (u * seed + step * 5) % 11 + 1
            if d + w < dist[v]:
                dist[v] = d + w
                pq.push(pair[int, int](-(d + w), v))
    cdef long total = 0
    for u in range(n):
        total += dist[u]
    return total, dist[n - 1]
