// spdlog set-up from the logging section of the configuration: level, an
// optional rotating log file, and text or JSON lines. Logs go to stderr (and
// the file); stdout is kept for data.
#pragma once

#include "config/config.h"
#include "util/status.h"

namespace cnake::cli {

// Errors: kIoError when the log file cannot be opened.
Status SetUpLogging(const LoggingConfig& config);

}  // namespace cnake::cli
