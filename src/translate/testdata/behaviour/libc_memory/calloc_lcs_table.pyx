# cython: language_level=3
"""Longest common subsequence with a calloc'd DP table."""
from libc.stdlib cimport calloc, free




def lcs_length(int n, int m, int seed):
    cdef int* table = <int*>calloc((n + 1) * (m + 1), sizeof(int))
    cdef char* a = <char*>calloc(n, 1)
    cdef char* b = <char*>calloc(m, 1)
    cdef int i, j, w = m + 1
    cdef unsigned int state = seed
    for i in range(n):
        state = state * 1103515245 + 12345
        a[i] = 65 + (state >> 16) % 4
    for j in range(m):
        state = state * 1103515245 + 12345
        b[j] = 65 + (state >> 16) % 4
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                table[i * w + j] = table[(i - 1) * w + j - 1] + 1
            elif table[(i - 1) * w + j] >= table[i * w + j - 1]:
                table[i * w + j] = table[(i - 1) * w + j]
            else:
                table[i * w + j] = table[i * w + j - 1]
    cdef int result = table[n * w + m]
    free(table)
    free(a)
    free(b)
    return result
