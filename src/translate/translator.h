// Rule-based, deterministic Cython-to-Python translator.
//
// Usable without the server: link cnake_translate. Thread-safe: TranslateCython
// is a pure function of its input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cnake::translate {

// A source line the translator could not map to Python. It is kept in the
// output as a comment starting with "# untranslated:".
struct UntranslatedLine {
  int line = 0;        // 1-based line number in the Cython source
  std::string text;    // the original line, without trailing newline
  std::string reason;  // short machine-friendly reason, e.g. "cdef extern block"
};

struct Translation {
  std::string python;                          // runnable Python 3 source
  std::vector<UntranslatedLine> untranslated;  // what stayed as comments
  std::vector<std::string> notes;  // mapping notes, e.g. "cimport libc.math -> import math"
};

Translation TranslateCython(std::string_view cython_source);

}  // namespace cnake::translate
