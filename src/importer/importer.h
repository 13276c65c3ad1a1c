// Import reader: turns Cython sources on disk into ImportRecords.
//
// The reader only produces records; storing them is the caller's job. Records
// are streamed to a callback one at a time, so memory stays bounded by the
// largest single file (ImportOptions::max_file_bytes), not by the import size.
// The only per-import state kept is one (device, inode) per directory visited
// and, for JSONL, the set of ids accepted so far (for duplicate detection).
//
// Problems with individual inputs never abort an import: each is reported once
// through the SkipSink with a human-readable reason and the import continues.
// Only a root that cannot be read at all, or a callback returning a non-ok
// Status, ends it early.
//
// Strings handed out are safe to store and print: ImportRecord::id/code/
// description/tags are valid UTF-8 without NUL; ImportSkip::origin/reason and
// ImportRecord::origin are valid UTF-8 with any invalid byte or control
// character shown as an escape (\xNN).
//
// Directory import rules:
//  * Recursive over files whose name ends with one of ImportOptions::extensions
//    (case-sensitive, as Cython is on Linux). Entries whose name starts with '.'
//    (.git, .venv, editor lock files) are ignored without a skip message.
//  * Order is deterministic: depth-first, the entries of each directory in
//    byte order of their names (dir "a" with its contents, then "a.pyx", then "a_b.pyx").
//  * id = path relative to the root without the matched extension, with '/'
//    separators ("math/vector_ops"). An id must be non-empty valid UTF-8
//    without control characters (C0, DEL, C1); spaces and other Unicode are
//    fine. Files whose name cannot form such an id are skipped.
//  * Same id from several files (foo.pyx and foo.pxd in one directory): the
//    file whose extension comes first in ImportOptions::extensions wins (.pyx
//    by default) and the others are skipped, naming the id and the winning
//    file. The choice is made on names alone, before reading: if the winner is
//    then skipped for its content, the loser is still not imported under its
//    id, because a .pxd holds declarations, not the module's code.
//  * Symlinks to files are followed. Symlinks to directories are followed, but
//    each physical directory (device, inode) is read at most once per import:
//    a link back to an ancestor is skipped once as a symlink loop, and a
//    second path to an already imported directory is skipped naming it. This
//    bounds the work by the number of real directories.
//  * Skipped with a reason: broken symlinks, entries that are not regular
//    files (FIFOs, devices), unreadable files or directories (errno text),
//    files over max_file_bytes (size, limit and --max-file-size), empty or
//    whitespace-only files, invalid UTF-8 (byte offset), NUL bytes (offset).
//  * A UTF-8 byte order mark is stripped from the code; offsets in reasons
//    count from the start of the file, BOM included. Line endings are kept.
//  * description/tags come from the module docstring (ParseModuleDocstring).
//
// JSONL rules (one JSON object per line, read line by line):
//  * Keys: "id" (non-empty string, required), "code" (string, required),
//    "description" (string or null), "tags" (array of strings, or one
//    comma-separated string, or null), "metadata" (object or null). Unknown
//    keys are ignored.
//  * "description"/"tags" that are absent are taken from the code's module
//    docstring, as for files; an explicit null means "none".
//  * Blank lines are ignored; a BOM on line 1 and a trailing '\r' are removed.
//  * A line that is invalid JSON or UTF-8, not an object, has a missing,
//    empty or invalid id, a non-string, empty or NUL-containing code, or a
//    wrongly typed field is skipped with origin "file.jsonl:N" and the reason.
//  * A line longer than max_file_bytes is skipped without being held in
//    memory; note that JSON escaping makes a line longer than its code.
//  * Duplicate ids: the first accepted record wins; later ones are skipped
//    naming the line of the first.
//
// Thread-safety: the functions keep no global state; concurrent calls are
// safe. Callbacks run on the calling thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cnake {

struct ImportRecord {
  std::string id;                          // entry id
  std::string code;                        // valid UTF-8, no NUL
  std::optional<std::string> description;  // trimmed, non-empty when set
  std::vector<std::string> tags;           // trimmed, non-empty, unique, in order of appearance
  std::optional<nlohmann::json> metadata;  // JSON object, when given
  std::string origin;                      // "path/to/file.pyx" or "data.jsonl:17", for messages
};

struct ImportSkip {
  std::string origin;  // as in ImportRecord::origin
  std::string reason;  // human-readable, names the problem
};

struct ImportOptions {
  // Files (and JSONL lines) larger than this are skipped.
  std::uintmax_t max_file_bytes = 2 * 1024 * 1024;
  // Source file name suffixes, in order of preference for same-id conflicts.
  std::vector<std::string> extensions = {".pyx", ".pxd"};
};

// A sink may return a non-ok Status to abort the import; that Status is then
// returned by the reader unchanged.
using RecordSink = std::function<Status(ImportRecord&&)>;
using SkipSink = std::function<Status(ImportSkip&&)>;

// Reads every source file under `root` (see the directory rules above).
// Returns NotFound/InvalidArgument/IoError only when `root` itself is missing,
// not a directory, or cannot be listed.
Status ReadSourceDirectory(const std::filesystem::path& root, const ImportOptions& options,
                           const RecordSink& on_record, const SkipSink& on_skip);

// Reads a JSONL file (see the JSONL rules above). Returns non-ok only when
// the file cannot be opened or read, or is a directory; bad lines are skips.
Status ReadJsonl(const std::filesystem::path& file, const ImportOptions& options,
                 const RecordSink& on_record, const SkipSink& on_skip);

// Dispatches on what `path` is: a directory → ReadSourceDirectory; a file
// ending in .jsonl/.ndjson (any case) → ReadJsonl; a file with one of
// options.extensions → one record with id = the file name without that
// extension (content problems are reported as a skip); anything else is an
// InvalidArgument naming the path and what is accepted.
Status ReadImportSource(const std::filesystem::path& path, const ImportOptions& options,
                        const RecordSink& on_record, const SkipSink& on_skip);

struct DocstringInfo {
  std::optional<std::string> description;
  std::vector<std::string> tags;
};

// Extracts description and tags from the module docstring: the first
// statement of the module when it is a string literal (""" ''' " ', optional
// r/u prefix in any case), after blank lines, comments, "# cython:" directives
// and encoding lines. A leading BOM is ignored.
//  * description: the first non-empty line of the docstring that is not a
//    Keywords line, trimmed. Only the common escapes (\\ \' \" \n \t \r and
//    backslash-newline) are decoded in non-raw literals.
//  * tags: from every line "Keywords: ..." (the label is case-insensitive).
//    The list is split on commas when it has any ("linear algebra, nogil" is
//    two tags), otherwise on whitespace ("numpy nogil" is two tags); tags are
//    trimmed, empty ones dropped, duplicates dropped keeping the first.
// Line breaks may be \n, \r\n or \r. Total: never fails, any input is fine.
DocstringInfo ParseModuleDocstring(std::string_view source);

// Strict UTF-8 (RFC 3629): rejects overlong forms, surrogates (U+D800..DFFF),
// code points above U+10FFFF and truncated sequences. NUL is valid UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace cnake
