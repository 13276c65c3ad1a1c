// spdlog set-up from the logging section of the configuration: level, the
// rotating log file (logging.file, ./processing.log by default; 10 MiB per
// file, 3 older files kept), and text or JSON lines. Logs go to stderr (and
// the file); stdout is kept for data.
#pragma once

#include <cstddef>

#include "config/config.h"
#include "util/status.h"

namespace cnake::cli {

// The rotation of logging.file: at kLogFileBytes the file becomes
// <file>.1 (the older ones .2, .3), and the oldest beyond kLogFiles goes.
inline constexpr std::size_t kLogFileBytes = 10 * 1024 * 1024;
inline constexpr std::size_t kLogFiles = 3;

// The log file is created with the first line logged to it. Errors:
// kInvalidArgument (a configuration error, exit 2) when it cannot be
// written: its directory is missing or not writable.
Status SetUpLogging(const LoggingConfig& config);

}  // namespace cnake::cli
