# cython: language_level=3
"""A struct updated through a pointer parameter (p.field auto-dereferences)."""


cdef struct Stats:
    long count
    long total
    int maximum


cdef void observe(Stats* s, int value):
    s.count += 1
    s.total += value
    if value > s.maximum:
        s.maximum = value


def observe_stream(int n, int seed):
    cdef Stats st
    st.count = 0
    st.total = 0
    st.maximum = -1
    cdef int i
    cdef int state = seed
    for i in range(n):
        state = (state * 171) % 30269
        observe(&st, state % 500)
    return st.count, st.total, st.maximum
