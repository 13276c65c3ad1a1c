#include "store/duckdb/submission_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "store/duckdb/batch_sql.h"
#include "store/duckdb/entry_changes.h"
#include "store/states.h"
#include "util/sha256.h"

namespace cnake {
namespace {

Status IoError(const std::string& what, const std::string& path) {
  const StatusCode code = errno == ENOSPC  ? StatusCode::kDiskFull
                          : errno == EROFS ? StatusCode::kReadOnly
                                           : StatusCode::kIoError;
  return Status(code, what + " " + path + ": " + std::strerror(errno));
}

std::string RecordLine(const std::string& batch_id, const Submitted& s) {
  const std::string json = nlohmann::json{
      {"b", batch_id},
      {"e", s.entry_id},
      {"r", s.request_id},
      {"s", s.submission_seq},
      {"a", s.attempts}}.dump();
  return Sha256Hex(json) + " " + json + "\n";
}

// One line without its newline, or nullopt when it is torn.
std::optional<SubmissionRecord> ParseLine(const std::string& line) {
  const std::size_t space = line.find(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string json_text = line.substr(space + 1);
  if (line.compare(0, space, Sha256Hex(json_text)) != 0) return std::nullopt;
  const auto j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  SubmissionRecord r;
  r.batch_id = j.value("b", "");
  r.submitted.entry_id = j.value("e", "");
  r.submitted.request_id = j.value("r", "");
  r.submitted.submission_seq = j.value("s", 0);
  r.submitted.attempts = j.value("a", 0);
  return r;
}

// Whether a record changes its entry: in its batch, not final, and holding
// no request_id or an older submission.
Result<bool> Applies(db::Connection& conn, const TableNames& tables, const SubmissionRecord& r) {
  CNAKE_ASSIGN_OR_RETURN(
      db::QueryResult q,
      conn.QueryWith("SELECT coalesce(processing_status, 'pending'), request_id IS NULL, "
                     "CAST(coalesce(submission_seq, 0) AS BIGINT) FROM " +
                         db::QuoteIdentifier(tables.entries) + " WHERE id = ? AND batch_id = ?",
                     r.submitted.entry_id, r.batch_id));
  auto chunk = q.NextChunk();
  if (!chunk || chunk->size() == 0) return false;  // adopted elsewhere, or gone
  const auto state = ParseEntryState(chunk->GetString(0, 0));
  if (state && IsFinal(*state)) return false;
  return chunk->GetBool(1, 0) || chunk->GetInt64(2, 0) < r.submitted.submission_seq;
}

// After its records are applied: a removal lost in a crash only means
// applying them again, which changes nothing.
Status Remove(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return IoError("cannot remove", path);
}

}  // namespace

std::string SubmissionLog::PathFor(const std::string& db_path) { return db_path + ".submissions"; }

Result<SubmissionLog> SubmissionLog::Open(const std::string& path) {
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open", path);
  SubmissionLog log(fd, path);
  if (!existed) {
    // The new file's name must survive a crash as much as its contents.
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return IoError("cannot open the folder of", path);
    const bool synced = ::fsync(dir_fd) == 0;
    ::close(dir_fd);
    if (!synced) return IoError("cannot sync the folder of", path);
  }
  return log;
}

SubmissionLog::SubmissionLog(SubmissionLog&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), dirty_(other.dirty_) {}

SubmissionLog& SubmissionLog::operator=(SubmissionLog&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    dirty_ = other.dirty_;
  }
  return *this;
}

SubmissionLog::~SubmissionLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status SubmissionLog::Append(const std::string& batch_id,
                             const std::vector<Submitted>& submissions) {
  if (submissions.empty()) return Status::Ok();
  std::string text;
  for (const Submitted& s : submissions) text += RecordLine(batch_id, s);
  dirty_ = true;
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot write", path_);
    done += static_cast<std::size_t>(n);
  }
  return ::fdatasync(fd_) == 0 ? Status::Ok() : IoError("cannot sync", path_);
}

Status SubmissionLog::Clear() {
  if (!dirty_) return Status::Ok();
  if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0) return IoError("cannot empty", path_);
  dirty_ = false;
  return Status::Ok();
}

void SubmissionLog::RemoveIfEmpty() {
  if (dirty_ || fd_ < 0) return;
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && st.st_size == 0) ::unlink(path_.c_str());
}

Result<std::vector<SubmissionRecord>> ReadSubmissionLog(const std::string& path) {
  std::vector<SubmissionRecord> records;
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return records;
  // A log that exists but cannot be read is an error: the replay removes
  // the file after reading it, and would drop its records.
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return IoError("cannot read", path);
  const std::string text = buffer.str();
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    if (end == std::string::npos) break;  // a torn last line
    auto record = ParseLine(text.substr(at, end - at));
    if (!record) break;
    records.push_back(std::move(*record));
    at = end + 1;
  }
  return records;
}

Status ReplaySubmissionLog(db::Connection& conn, const TableNames& tables,
                           const std::string& path) {
  CNAKE_ASSIGN_OR_RETURN(const std::vector<SubmissionRecord> records, ReadSubmissionLog(path));
  std::map<std::string, WriteGroup> by_batch;
  for (const SubmissionRecord& r : records) {
    CNAKE_ASSIGN_OR_RETURN(const bool applies, Applies(conn, tables, r));
    if (applies) by_batch[r.batch_id].submitted.push_back(r.submitted);
  }
  if (!by_batch.empty()) {
    CNAKE_ASSIGN_OR_RETURN(const bool bytewise, IdsCompareBytewise(conn, tables));
    for (const auto& [batch_id, group] : by_batch) {
      CNAKE_RETURN_IF_ERROR(CommitGroup(conn, tables, batch_id, group, bytewise));
    }
  }
  return Remove(path);
}

}  // namespace cnake
