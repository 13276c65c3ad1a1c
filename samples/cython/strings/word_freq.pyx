"""Word frequency counting with typed locals over Python strings.

Keywords: strings, dict, text processing
"""


cpdef dict word_frequencies(str text):
    """Map each lower-cased word to its number of occurrences."""
    cdef dict counts = {}
    cdef str word
    for word in text.lower().split():
        word = word.strip(".,;:!?\"'()")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


cpdef list top_words(str text, int k=3):
    """The k most frequent words, ties broken alphabetically."""
    cdef dict counts = word_frequencies(text)
    cdef list items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [w for w, _ in items[:k]]


def longest_word(str text):
    cdef str best = ""
    cdef Py_ssize_t best_len = 0
    for word in text.split():
        if len(word) > best_len:
            best = word
            best_len = len(word)
    return best
