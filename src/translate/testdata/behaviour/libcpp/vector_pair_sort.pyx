# distutils: language = c++
# cython: language_level=3
"""Sort a vector of pairs with libcpp.algorithm.sort (lexicographic order)."""
from libcpp.vector cimport vector
from libcpp.utility cimport pair
from libcpp.algorithm cimport sort


def sorted_pairs(int n, int seed):
    cdef vector[pair[int, int]] items
    cdef int i
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        items.push_back(pair[int, int]((state >> 16) % 20, i))
    sort(items.begin(), items.end())
    cdef long code = 0
    for i in range(<int>items.size()):
        code = (code * 31 + items[i].first * 100 + items[i].second) % 1000000007
    return code, items[0].second, items[items.size() - 1].first
