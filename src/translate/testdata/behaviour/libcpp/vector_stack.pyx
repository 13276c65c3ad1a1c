# distutils: language = c++
# cython: language_level=3
"""Bracket matching with a vector used as a stack (back, pop_back)."""
from libcpp.vector cimport vector


def bracket_depths(int n, int seed):
    cdef vector[int] stack
    cdef int i, kind, max_depth = 0, mismatched = 0, matched = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        kind = (state >> 16) % 4
        if kind < 2:
            stack.push_back(kind)
            if <int>stack.size() > max_depth:
                max_depth = stack.size()
        else:
            if stack.size() > 0 and stack.back() == kind - 2:
                stack.pop_back()
                matched += 1
            else:
                mismatched += 1
    return max_depth, matched, mismatched, stack.size()
