# distutils: language = c++
# cython: language_level=3
"""Structs pushed into a vector are copies: reusing the local is safe in C++."""
from libcpp.vector cimport vector


cdef struct Item:
    int id
    double weight


def heaviest(int n, int seed):
    cdef vector[Item] items
    cdef Item it
    cdef int i, best = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        it.id = i
        it.weight = (state >> 16) % 1000 / 10.0
        items.push_back(it)
    for i in range(<int>items.size()):
        if items[i].weight > items[best].weight:
            best = i
    return items[best].id, items[best].weight, items[0].id
