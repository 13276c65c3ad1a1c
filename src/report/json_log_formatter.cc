#include "report/json_log_formatter.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/time_format.h"

namespace cnake::report {
namespace {

// The value of "key=<value>" in a message, value up to the next space.
std::string_view Field(std::string_view message, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = message.find(key, pos)) != std::string_view::npos) {
    const bool at_word_start = pos == 0 || message[pos - 1] == ' ';
    pos += key.size();
    if (!at_word_start || pos >= message.size() || message[pos] != '=') continue;
    const std::size_t start = pos + 1;
    const std::size_t end = message.find(' ', start);
    return message.substr(start, end == std::string_view::npos ? end : end - start);
  }
  return {};
}

}  // namespace

std::string JsonLogLine(std::string_view time_iso, std::string_view level, long pid,
                        std::string_view message) {
  nlohmann::ordered_json j = {{"time", time_iso}, {"level", level}, {"pid", pid}, {"msg", message}};
  if (auto batch = Field(message, "batch"); !batch.empty()) j["batch_id"] = batch;
  if (auto entry = Field(message, "entry"); !entry.empty()) j["entry_id"] = entry;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string time = FormatIsoUtc(msg.time);
  const auto level = spdlog::level::to_string_view(msg.level);
  const std::string line =
      JsonLogLine(time, std::string_view(level.data(), level.size()), static_cast<long>(getpid()),
                  std::string_view(msg.payload.data(), msg.payload.size()));
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace cnake::report
