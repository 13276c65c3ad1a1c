"""Generic summation and clipping written once with fused numeric types.

Keywords: fused types, generics, memoryview
"""

from __future__ import annotations

from typing import TypeVar

number_t = TypeVar("number_t", int, float)


def total(data: list[number_t]) -> number_t:
    """Sum all elements, keeping the element type."""
    i: int
    acc: number_t = 0
    for i in range(len(data)):
        acc += data[i]
    return acc


def clip(value: number_t, low: number_t, high: number_t) -> number_t:
    """Clamp value into [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


def count_above(data: list[number_t], threshold: float):
    """Count elements strictly greater than threshold."""
    i: int
    hits: int = 0
    for i in range(len(data)):
        if float(data[i]) > threshold:
            hits += 1
    return hits
