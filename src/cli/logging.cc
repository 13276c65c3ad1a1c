#include "cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cli/terminal_line.h"
#include "report/json_log_formatter.h"
#include "util/time_format.h"

namespace cnake::cli {
namespace {

// The time as everywhere else (util/time_format.h): UTC, with its "Z".
const std::string kTextPattern = std::string(kIsoUtcSpdlogTime) + " [%l] %v";

// stderr, around the live progress line (cli/terminal_line.h): a record
// erases the line first, so it never lands on the same line.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    auto line = TerminalLine::Stderr().ClearForRecord(stderr);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

// The log file, opened with the first line written to it: logging.file has a
// default (./processing.log), and a command that logs nothing (`stats`,
// `config show`) should not leave a file in the working directory. Rotates
// at kLogFileBytes, keeping kLogFiles older files (docs/config.md).
class LazyRotatingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LazyRotatingFileSink(std::string path) : path_(std::move(path)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!file_ && !failed_) Open();
    if (file_) file_->log(msg);
  }
  void flush_() override {
    if (file_) file_->flush();
  }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    if (file_) file_->set_formatter(formatter->clone());
    base_sink::set_formatter_(std::move(formatter));
  }
  void set_pattern_(const std::string& pattern) override {
    set_formatter_(std::make_unique<spdlog::pattern_formatter>(pattern));
  }

 private:
  void Open() {
    try {
      file_ =
          std::make_unique<spdlog::sinks::rotating_file_sink_st>(path_, kLogFileBytes, kLogFiles);
      file_->set_formatter(formatter_->clone());
    } catch (const spdlog::spdlog_ex& e) {
      // Checked at start-up (CheckWritable); this is a race with the disk.
      failed_ = true;
      std::fprintf(stderr, "warning: logging.file: cannot open %s: %s; logging to stderr only\n",
                   path_.c_str(), e.what());
    }
  }

  const std::string path_;
  std::unique_ptr<spdlog::sinks::rotating_file_sink_st> file_;
  bool failed_ = false;
};

// The log file opens lazily, so that a path that cannot work is refused
// before any work starts rather than at the first log line.
Status CheckWritable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  std::string target = exists ? path : fs::path(path).parent_path().string();
  if (target.empty()) target = ".";
  std::string why;
  if (::access(target.c_str(), W_OK) != 0) {
    why = std::strerror(errno);
  } else if (!exists && !fs::is_directory(target, ec)) {
    why = "not a directory";
  } else {
    return Status::Ok();
  }
  return InvalidArgument("logging.file: cannot write " + path + " (" + target + ": " + why +
                         "); choose another file with --log-file, or --log-file '' for none");
}

}  // namespace

Status SetUpLogging(const LoggingConfig& config) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<StderrSink>());
  if (!config.file.empty()) {
    CNAKE_RETURN_IF_ERROR(CheckWritable(config.file));
    sinks.push_back(std::make_shared<LazyRotatingFileSink>(config.file));
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
