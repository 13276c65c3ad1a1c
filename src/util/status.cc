#include "util/status.h"

namespace cnake {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kDatabase:
      return "database";
    case StatusCode::kLocked:
      return "locked";
    case StatusCode::kOutOfMemory:
      return "out_of_memory";
    case StatusCode::kReadOnly:
      return "read_only";
    case StatusCode::kDiskFull:
      return "disk_full";
    case StatusCode::kSchemaMismatch:
      return "schema_mismatch";
    case StatusCode::kNetwork:
      return "network";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kHttp:
      return "http";
    case StatusCode::kAuth:
      return "auth";
    case StatusCode::kParse:
      return "parse";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace cnake
