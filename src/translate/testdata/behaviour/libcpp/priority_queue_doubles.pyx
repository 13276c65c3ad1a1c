# distutils: language = c++
# cython: language_level=3
"""Running k smallest distances with a max-heap priority_queue[double]."""
from libcpp.queue cimport priority_queue
from libc.math cimport sqrt


def k_nearest(int n, int k, int seed):
    cdef priority_queue[double] heap
    cdef int i
    cdef double x, y, d, total = 0.0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        x = (state >> 16) % 1000 / 100.0
        state = state * 1103515245 + 12345
        y = (state >> 16) % 1000 / 100.0
        d = sqrt(x * x + y * y)
        if <int>heap.size() < k:
            heap.push(d)
        elif d < heap.top():
            heap.pop()
            heap.push(d)
    while not heap.empty():
        total += heap.top()
        heap.pop()
    return round(total, 9)
