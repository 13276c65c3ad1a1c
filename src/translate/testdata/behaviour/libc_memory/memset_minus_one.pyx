# cython: language_level=3
"""Jump distances on an implicit graph; -1 marks unvisited via memset."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset


def jump_distances(int n, int a, int b):
    cdef int* dist = <int*>malloc(n * sizeof(int))
    cdef int* queue = <int*>malloc(n * sizeof(int))
    cdef int head = 0, tail = 0, u, v, reached = 0, far = 0
    memset(dist, -1, n * sizeof(int))
    dist[0] = 0
    queue[tail] = 0
    tail += 1
    while head < tail:
        u = queue[head]
        head += 1
        for v in ((u * a + 1) % n, (u + b) % n):
            if dist[v] == -1:
                dist[v] = dist[u] + 1
                queue[tail] = v
                tail += 1
    for u in range(n):
        if dist[u] != -1:
            reached += 1
            if dist[u] > far:
                far = dist[u]
    free(dist)
    free(queue)
    return reached, far
