"""Doc line.

Keywords: a, b, a
"""
cdef int x = 1
