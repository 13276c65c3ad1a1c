"""Traffic-light state machine over C enums.

Keywords: enum, state machine
"""


cdef enum Light:
    RED = 0
    GREEN = 1
    YELLOW = 2


ctypedef enum Mode:
    MODE_NORMAL
    MODE_BLINKING


cdef Light next_light(Light current):
    if current == RED:
        return GREEN
    elif current == GREEN:
        return YELLOW
    return RED


def cycle(int start, int steps):
    """Return the light sequence after each step, as ints."""
    cdef Light light = <Light>start
    out = []
    for _ in range(steps):
        light = next_light(light)
        out.append(<int>light)
    return out


def mode_name(int mode):
    if mode == MODE_BLINKING:
        return "blinking"
    return "normal"
