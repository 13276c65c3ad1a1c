# cython: language_level=3
"""Best index assigned only inside a branch; read after the loop."""


def argmax_of_stream(int n, int seed):
    cdef int i, v, best_index
    cdef int best_value = -1
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        v = (state >> 16) % 1000
        if v > best_value:
            best_value = v
            best_index = i
    return best_index, best_value
