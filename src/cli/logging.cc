#include "cli/logging.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "report/json_log_formatter.h"
#include "util/time_format.h"

namespace cnake::cli {
namespace {

constexpr std::size_t kLogFileBytes = 10 * 1024 * 1024;
constexpr std::size_t kLogFiles = 3;
// The time as everywhere else (util/time_format.h): UTC, with its "Z".
const std::string kTextPattern = std::string(kIsoUtcSpdlogTime) + " [%l] %v";

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
  if (config.format == "json") {
    // One valid JSON object per line, whatever the message holds.
    logger->set_formatter(std::make_unique<report::JsonLogFormatter>());
  } else {
    logger->set_pattern(kTextPattern, spdlog::pattern_time_type::utc);
  }
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace cnake::cli
