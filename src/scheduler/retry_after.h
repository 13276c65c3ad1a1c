// Parsing of the HTTP Retry-After header (RFC 9110 section 10.2.3).
#pragma once

#include <optional>
#include <string_view>

#include "util/clock.h"

namespace cnake::scheduler {

// Returns how long the server asked us to wait, or nullopt when the value is
// unusable and should be ignored (the caller then falls back to its own
// backoff). Total over all inputs: never crashes, never overflows, never
// consults the locale or the time zone.
//
// Accepted forms, with optional surrounding spaces and tabs:
//   * delay-seconds: "7". Leniency beyond RFC 9110: a fraction ("1.5" is 1.5 s)
//     and an exponent ("1e3") are accepted, because they still express the
//     server's intent unambiguously. Signs are rejected ("-1", "+7").
//   * IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
//   * RFC 850:     "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year is taken
//                  as the latest year with those digits that is not more than
//                  50 years after now_wall, per RFC 9110 section 5.6.7)
//   * asctime:     "Sun Nov  6 08:49:37 1994"
// Month and day names and "GMT" match case-insensitively; dates must exist
// (no Feb 30); seconds may be 60 (leap second). The weekday name must be a
// valid name but is not checked against the date.
//
// The result is in [0, max_wait]: a date in the past (or now) yields 0, and
// anything longer than max_wait (including "1e12" and 20-digit integers)
// yields max_wait. A negative max_wait is treated as 0.
std::optional<Duration> ParseRetryAfter(std::string_view value, SystemTimePoint now_wall,
                                        Duration max_wait);

}  // namespace cnake::scheduler
