"""Traffic-light state machine over C enums.

Keywords: enum, state machine
"""

from __future__ import annotations

from enum import IntEnum


class Light(IntEnum):
    RED = 0
    GREEN = 1
    YELLOW = 2


RED = Light.RED
GREEN = Light.GREEN
YELLOW = Light.YELLOW


class Mode(IntEnum):
    MODE_NORMAL = 0
    MODE_BLINKING = 1


MODE_NORMAL = Mode.MODE_NORMAL
MODE_BLINKING = Mode.MODE_BLINKING


def next_light(current: Light) -> Light:
    if current == RED:
        return GREEN
    elif current == GREEN:
        return YELLOW
    return RED


def cycle(start: int, steps: int):
    """Return the light sequence after each step, as ints."""
    light: Light = Light(start)
    out = []
    for _ in range(steps):
        light = next_light(light)
        out.append(int(light))
    return out


def mode_name(mode: int):
    if mode == MODE_BLINKING:
        return "blinking"
    return "normal"
