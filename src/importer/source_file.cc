#include "importer/source_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>

#include "importer/text_util.h"

namespace cnake::importer {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string ErrnoText(int error) { return std::generic_category().message(error); }

SourceFileContent Skip(std::string reason) { return {std::nullopt, std::move(reason)}; }

}  // namespace

ScopedFd::~ScopedFd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string DisplayPath(const std::filesystem::path& path) {
  return EscapeForDisplay(path.generic_string());
}

std::string DescribeOpenError(const std::filesystem::path& path, int error) {
  struct stat link_info {};
  const bool is_link = ::lstat(path.c_str(), &link_info) == 0 && S_ISLNK(link_info.st_mode);
  if (is_link && error == ENOENT) {
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
    return fmt::format("broken symlink: its target \"{}\" does not exist",
                       ec ? std::string("?") : DisplayPath(target));
  }
  if (error == ELOOP) return "symlink loop: " + ErrnoText(error);
  return "cannot open the file: " + ErrnoText(error);
}

std::string DescribeTooLarge(std::string_view what, std::uintmax_t size, std::uintmax_t limit) {
  return fmt::format("{} is {}, over the limit of {}; raise the limit with --max-file-size", what,
                     FormatBytes(size), FormatBytes(limit));
}

std::optional<std::string> CheckCode(std::string_view code, std::size_t offset_base) {
  if (code.empty()) return "the file is empty";
  if (auto bad = FindInvalidUtf8(code)) {
    return fmt::format(
        "not valid UTF-8: byte 0x{:02x} at byte offset {} starts an invalid sequence",
        static_cast<unsigned char>(code[*bad]), *bad + offset_base);
  }
  if (auto nul = code.find('\0'); nul != std::string_view::npos) {
    return fmt::format("contains a NUL byte at byte offset {}", nul + offset_base);
  }
  if (IsBlank(code)) return "the file contains only whitespace";
  return std::nullopt;
}

SourceFileContent ReadSourceFile(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  // O_NONBLOCK so that opening a FIFO cannot hang; fstat then rejects it.
  const ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return Skip(DescribeOpenError(path, errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return Skip("cannot stat the file: " + ErrnoText(errno));
  if (!S_ISREG(info.st_mode)) return Skip("not a regular file");
  const auto size = static_cast<std::uintmax_t>(info.st_size);
  if (size > max_bytes) return Skip(DescribeTooLarge("the file", size, max_bytes));

  // Read at most max_bytes + 1: the file may have grown since fstat.
  std::string data(static_cast<std::size_t>(size) + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == data.size()) {
      if (data.size() > max_bytes) {
        return Skip(
            DescribeTooLarge("the file (it grew while being read)", data.size(), max_bytes));
      }
      // Saturating: max_bytes may be the largest value ("no limit").
      const std::uintmax_t cap = max_bytes == UINTMAX_MAX ? max_bytes : max_bytes + 1;
      data.resize(static_cast<std::size_t>(std::min<std::uintmax_t>(cap, data.size() * 2 + 4096)));
    }
    const ssize_t n = ::read(fd.get(), data.data() + used, data.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Skip("cannot read the file: " + ErrnoText(errno));
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  data.resize(used);

  if (data.size() >= 2 &&
      (data.compare(0, 2, "\xFF\xFE") == 0 || data.compare(0, 2, "\xFE\xFF") == 0)) {
    return Skip(
        "not valid UTF-8: the file starts with a UTF-16 byte order mark; convert it to UTF-8");
  }
  std::size_t offset_base = 0;
  if (std::string_view(data).substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    data.erase(0, kUtf8Bom.size());
    offset_base = kUtf8Bom.size();
  }
  if (auto problem = CheckCode(data, offset_base)) return Skip(std::move(*problem));
  return {std::move(data), {}};
}

ImportRecord MakeSourceRecord(std::string id, std::string code, std::string origin) {
  DocstringInfo doc = ParseModuleDocstring(code);
  ImportRecord record;
  record.id = std::move(id);
  record.code = std::move(code);
  record.description = std::move(doc.description);
  record.tags = std::move(doc.tags);
  record.origin = std::move(origin);
  return record;
}

}  // namespace cnake::importer
