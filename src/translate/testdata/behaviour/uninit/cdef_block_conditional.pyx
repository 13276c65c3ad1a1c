# cython: language_level=3
"""cdef: block of locals assigned in if/elif/else arms."""


def classify(int n, int seed):
    cdef:
        int i, v, small = 0, medium = 0, large = 0
        double weight
        double total = 0.0
    for i in range(n):
        v = (i * seed + 7) % 100
        if v < 30:
            weight = 0.5
            small += 1
        elif v < 70:
            weight = 1.0
            medium += 1
        else:
            weight = 2.0
            large += 1
        total += weight * v
    return small, medium, large, total
