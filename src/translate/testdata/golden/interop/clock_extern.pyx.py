"""Wall-clock timing via an extern struct and functions from time.h."""

# untranslated: cdef extern from "time.h" nogil:
# untranslated: struct timespec:
# untranslated:     time_t tv_sec
# untranslated:     long tv_nsec
# untranslated: int clock_gettime(int clk_id, timespec* tp)
# untranslated: enum: CLOCK_MONOTONIC


def now_seconds() -> float:
    if clock_gettime(CLOCK_MONOTONIC, ts) != 0:
        raise OSError("clock_gettime failed")
    return ts.tv_sec + ts.tv_nsec * 1e-9


def time_call(func, repeat: int = 3):
    """Best wall time over `repeat` calls of func(), in seconds."""
    best: float = -1.0
    t0: float
    elapsed: float
    i: int
    for i in range(repeat):
        t0 = now_seconds()
        func()
        elapsed = now_seconds() - t0
        if best < 0 or elapsed < best:
            best = elapsed
    return best
