// Status and Result<T>: expected failures as values.
//
// Functions that can fail for reasons outside the program's control (I/O, the
// database, the network, bad input) return Status or Result<T> instead of
// throwing. Exceptions are reserved for startup and configuration failures and
// are caught in main(). Neither type is thread-safe to mutate concurrently;
// both are cheap to move.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cnake {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user or a caller
  kNotFound,
  kAlreadyExists,
  kIoError,         // filesystem
  kDatabase,        // DuckDB reported an error
  kLocked,          // the database file is held by another process
  kOutOfMemory,     // the database needed more memory than its limit allows
  kReadOnly,        // the database's file or disk cannot be written
  kDiskFull,        // no space left for the database
  kSchemaMismatch,  // an existing table has a column of an incompatible type
  kNetwork,         // connection refused, reset, DNS, TLS
  kTimeout,
  kHttp,   // a non-success HTTP status
  kAuth,   // 401/403
  kParse,  // a response or file could not be parsed
  kCancelled,
  kInternal,
};

// Stable lowercase name of a code, used in logs and the error tables.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status DatabaseError(std::string m) { return {StatusCode::kDatabase, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Holds either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cnake

// Propagates a non-ok Status from an expression returning Status.
#define CNAKE_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::cnake::Status cnake_status_ = (expr);        \
    if (!cnake_status_.ok()) return cnake_status_; \
  } while (0)

#define CNAKE_CONCAT_INNER(a, b) a##b
#define CNAKE_CONCAT(a, b) CNAKE_CONCAT_INNER(a, b)
// Declares `lhs` from a Result<T> expression, or returns its Status.
#define CNAKE_ASSIGN_OR_RETURN(lhs, expr)                  \
  auto CNAKE_CONCAT(cnake_result_, __LINE__) = (expr);     \
  if (!CNAKE_CONCAT(cnake_result_, __LINE__).ok())         \
    return CNAKE_CONCAT(cnake_result_, __LINE__).status(); \
  lhs = std::move(CNAKE_CONCAT(cnake_result_, __LINE__)).value()
