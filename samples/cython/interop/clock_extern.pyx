"""Wall-clock timing via an extern struct and functions from time.h."""

cdef extern from "time.h" nogil:
    ctypedef long time_t
    struct timespec:
        time_t tv_sec
        long tv_nsec
    int clock_gettime(int clk_id, timespec* tp)
    enum: CLOCK_MONOTONIC


cdef double now_seconds() except -1.0:
    cdef timespec ts
    if clock_gettime(CLOCK_MONOTONIC, &ts) != 0:
        raise OSError("clock_gettime failed")
    return ts.tv_sec + ts.tv_nsec * 1e-9


def time_call(func, int repeat=3):
    """Best wall time over `repeat` calls of func(), in seconds."""
    cdef double best = -1.0
    cdef double t0, elapsed
    cdef int i
    for i in range(repeat):
        t0 = now_seconds()
        func()
        elapsed = now_seconds() - t0
        if best < 0 or elapsed < best:
            best = elapsed
    return best
