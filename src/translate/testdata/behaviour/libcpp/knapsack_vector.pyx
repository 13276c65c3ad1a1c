# distutils: language = c++
# cython: language_level=3
"""0/1 knapsack with a vector[int] DP table and generated items."""
from libcpp.vector cimport vector


def knapsack(int nitems, int capacity, int seed):
    cdef vector[int] best = vector[int](capacity + 1, 0)
    cdef int i, w, weight, value
    cdef unsigned int state = seed
    for i in range(nitems):
        state = state * 1103515245 + 12345
        weight = (state >> 16) % 20 + 1
        state = state * 1103515245 + 12345
        value = (state >> 16) % 100
        for w in range(capacity, weight - 1, -1):
            if best[w - weight] + value > best[w]:
                best[w] = best[w - weight] + value
    return best[capacity], best.size()
