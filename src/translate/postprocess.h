// Whole-module fix-ups applied to the translated text: filling blocks that
// lost all their statements with `pass`, inserting generated imports after
// the module docstring, and re-indenting multi-line statements. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cnake::translate {

// Inserts `pass` into every block whose body has no statement left (only
// comments or nothing), so the module stays valid Python.
std::string FillEmptyBlocks(std::string_view python);

// Limits runs of blank lines (outside string literals) to two, so dropped
// statements do not leave gaps.
std::string CollapseBlankLines(std::string_view python);

// Inserts import lines after the module docstring (and after any leading
// `from __future__` imports, except for `from __future__` lines themselves,
// which go first). No-op when `imports` is empty.
std::string InsertImports(std::string_view python, const std::vector<std::string>& imports);

// Removes `columns` of indentation from every continuation line of a
// multi-line statement that does not start inside a string literal.
std::string DedentContinuations(std::string_view statement, int columns);

}  // namespace cnake::translate
