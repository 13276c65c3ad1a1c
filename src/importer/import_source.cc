// ReadImportSource: picks the reader for what the user pointed at.

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>

#include "importer/importer.h"
#include "importer/source_file.h"
#include "importer/text_util.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;

bool EndsWithIgnoringCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s.remove_prefix(s.size() - suffix.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != suffix[i]) return false;
  }
  return true;
}

std::string AcceptedKinds(const ImportOptions& options) {
  std::string extensions;
  for (const std::string& ext : options.extensions) {
    if (!extensions.empty()) extensions += '/';
    extensions += ext;
  }
  return fmt::format("a directory, a .jsonl or .ndjson file, or a {} file", extensions);
}

Status ReadSingleSourceFile(const fs::path& path, std::string_view extension,
                            const RecordSink& on_record, const SkipSink& on_skip,
                            std::uintmax_t max_bytes) {
  const std::string origin = importer::DisplayPath(path);
  const std::string name = path.filename().string();
  std::string id = name.substr(0, name.size() - extension.size());
  if (auto problem = importer::ValidateId(id)) {
    return on_skip(ImportSkip{origin, "the file name cannot be used as an id: " + *problem});
  }
  importer::SourceFileContent content = importer::ReadSourceFile(path, max_bytes);
  if (!content.code) return on_skip(ImportSkip{origin, std::move(content.skip_reason)});
  return on_record(importer::MakeSourceRecord(std::move(id), std::move(*content.code), origin));
}

}  // namespace

Status ReadImportSource(const fs::path& path, const ImportOptions& options,
                        const RecordSink& on_record, const SkipSink& on_skip) {
  const std::string display = importer::DisplayPath(path);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    std::error_code ec;
    const bool dangling_link = fs::is_symlink(fs::symlink_status(path, ec));
    const std::string message =
        fmt::format("cannot import \"{}\": {}", display,
                    error == ENOENT && !dangling_link ? std::string("no such file or directory")
                                                      : importer::DescribeOpenError(path, error));
    return error == ENOENT ? NotFound(message) : IoError(message);
  }
  if (S_ISDIR(info.st_mode)) return ReadSourceDirectory(path, options, on_record, on_skip);

  const std::string name = path.filename().string();
  if (EndsWithIgnoringCase(name, ".jsonl") || EndsWithIgnoringCase(name, ".ndjson")) {
    return ReadJsonl(path, options, on_record, on_skip);
  }
  for (const std::string& ext : options.extensions) {
    if (!ext.empty() && name.size() > ext.size() && name.ends_with(ext)) {
      return ReadSingleSourceFile(path, ext, on_record, on_skip, options.max_file_bytes);
    }
  }
  return InvalidArgument(
      fmt::format("cannot import \"{}\": expected {}", display, AcceptedKinds(options)));
}

}  // namespace cnake
