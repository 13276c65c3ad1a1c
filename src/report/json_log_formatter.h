// An spdlog formatter that writes each log record as one line of valid JSON:
//   {"time":"2026-11-28T10:15:00.123Z","level":"info","pid":42,"msg":"...",
//    "batch_id":"b-...","entry_id":"entry-0042"}
// The message is escaped as a JSON string (quotes, backslashes, control
// characters; invalid UTF-8 becomes U+FFFD), which a pattern such as
// "msg":"%v" cannot do. batch_id and entry_id are lifted from the engine's
// "batch=<id> entry=<id>" message convention when present, so log lines about
// an entry can be filtered without parsing the message.
//
// Install with logger->set_formatter(std::make_unique<JsonLogFormatter>()).
// Thread safety: spdlog calls a formatter under its sink's lock; clone()
// gives each sink its own instance.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace cnake::report {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// The JSON line (with a trailing newline) for one record; exposed for tests.
std::string JsonLogLine(std::string_view time_iso, std::string_view level, long pid,
                        std::string_view message);

}  // namespace cnake::report
