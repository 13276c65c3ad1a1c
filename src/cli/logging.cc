#include "cli/logging.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace cnake::cli {
namespace {

constexpr std::size_t kLogFileBytes = 10 * 1024 * 1024;
constexpr std::size_t kLogFiles = 3;
// Messages are escaped by the caller where they may hold quotes; the level
// and time are fixed-format, so this stays valid JSON per line.
constexpr const char* kJsonPattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","pid":%P,"msg":"%v"})";
constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e [%l] %v";

}  // namespace

Status SetUpLogging(const LoggingConfig& config) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!config.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          config.file, kLogFileBytes, kLogFiles));
    } catch (const spdlog::spdlog_ex& e) {
      return IoError("logging.file: cannot open " + config.file + ": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("cnake", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(config.level));
  logger->set_pattern(config.format == "json" ? kJsonPattern : kTextPattern,
                      spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace cnake::cli
