// The one text form of a point in time, for everything the client prints or
// writes as text (command output, JSON, reports, logs): ISO 8601 in UTC with
// milliseconds and an explicit "Z" offset, e.g. 2026-11-28T10:15:00.123Z.
// Times are stored in UTC too (the DuckDB connections run with TimeZone UTC),
// so no local time zone (TZ) changes what is stored or shown.
#pragma once

#include <chrono>
#include <string>

namespace cnake {

// 2026-11-28T10:15:00.123Z. Thread-safe; no locale or time zone involved.
std::string FormatIsoUtc(std::chrono::system_clock::time_point t);

// The same form from DuckDB's strftime() of a TIMESTAMP that holds UTC
// (%g: milliseconds).
inline constexpr const char* kIsoUtcStrftime = "%Y-%m-%dT%H:%M:%S.%gZ";
// The same form as an spdlog pattern (set with pattern_time_type::utc).
inline constexpr const char* kIsoUtcSpdlogTime = "%Y-%m-%dT%H:%M:%S.%eZ";

}  // namespace cnake
