"""Word frequency counting with typed locals over Python strings.

Keywords: strings, dict, text processing
"""


def word_frequencies(text: str) -> dict:
    """Map each lower-cased word to its number of occurrences."""
    counts: dict = {}
    word: str
    for word in text.lower().split():
        word = word.strip(".,;:!?\"'()")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(text: str, k: int = 3) -> list:
    """The k most frequent words, ties broken alphabetically."""
    counts: dict = word_frequencies(text)
    items: list = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [w for w, _ in items[:k]]


def longest_word(text: str):
    best: str = ""
    best_len: int = 0
    for word in text.split():
        if len(word) > best_len:
            best = word
            best_len = len(word)
    return best
