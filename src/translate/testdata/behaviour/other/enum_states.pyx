# cython: language_level=3
"""A small state machine with a cdef enum and integer transitions."""


cdef enum State:
    IDLE = 0
    RUNNING = 1
    DONE = 2


def run_machine(int n, int seed):
    cdef State s = IDLE
    cdef int i, started = 0, finished = 0
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1664525 + 1013904223
        if s == IDLE and (state >> 28) > 7:
            s = RUNNING
            started += 1
        elif s == RUNNING and (state >> 28) < 4:
            s = DONE
            finished += 1
        elif s == DONE:
            s = IDLE
    return started, finished, <int>s
