#include "store/duckdb/write_fault.h"

#include <string>

namespace cnake::db {

bool IsWriteFailure(std::string_view message) {
  auto has = [&](std::string_view text) { return message.find(text) != std::string_view::npos; };
  if (has("No space left on device")) return true;
  return has("Failed to commit") &&
         (has("Could not write") || has("IO Error") || has("fsync") || has("Could not sync"));
}

void WriteFault::Note(std::string_view duckdb_message, const Status& error) {
  if (!IsWriteFailure(duckdb_message)) return;
  std::lock_guard lock(mu_);
  if (!first_) first_ = error;
}

Status WriteFault::Check() const {
  std::lock_guard lock(mu_);
  if (!first_) return Status::Ok();
  return Status(first_->code(),
                "this process stopped using the database after a write to it failed (the next "
                "command that opens it recovers everything committed before): " +
                    first_->message());
}

}  // namespace cnake::db
