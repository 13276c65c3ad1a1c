#include "scheduler/rate_limit_headers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace cnake::scheduler {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads an unsigned decimal number ("12", "3.5", ".5" is rejected) from the
// front of `s`; advances `s`. The value saturates at a large finite number.
std::optional<double> ReadNumber(std::string_view& s) {
  std::size_t i = 0;
  double value = 0;
  while (i < s.size() && IsDigit(s[i])) {
    value = std::min(value * 10 + (s[i] - '0'), 1e300);
    ++i;
  }
  if (i == 0) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    double scale = 0.1;
    const std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) {
      value += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;  // "3." has no fraction digits
  }
  s.remove_prefix(i);
  return value;
}

// Nanoseconds per unit at the front of `s` (longest match first); advances `s`.
std::optional<double> ReadUnit(std::string_view& s) {
  struct Unit {
    std::string_view name;
    double ns;
  };
  static constexpr Unit kUnits[] = {{"ms", 1e6},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"ns", 1},
                                    {"h", 3.6e12}, {"m", 6e10}, {"s", 1e9}};
  for (const Unit& u : kUnits) {
    if (s.substr(0, u.name.size()) == u.name) {
      s.remove_prefix(u.name.size());
      return u.ns;
    }
  }
  return std::nullopt;
}

Duration ClampNanos(double ns, Duration max) {
  const double cap = static_cast<double>(std::max(max, Duration::zero()).count());
  return Duration(static_cast<Duration::rep>(std::clamp(ns, 0.0, cap)));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::string_view kRemainingRequests = "x-ratelimit-remaining-requests";
constexpr std::string_view kRemainingTokens = "x-ratelimit-remaining-tokens";
constexpr std::string_view kResetRequests = "x-ratelimit-reset-requests";
constexpr std::string_view kResetTokens = "x-ratelimit-reset-tokens";
constexpr std::string_view kRetryAfterMs = "retry-after-ms";

}  // namespace

std::optional<Duration> ParseResetDuration(std::string_view text, Duration max) {
  std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  double total_ns = 0;
  bool any = false;
  while (!s.empty()) {
    std::optional<double> n = ReadNumber(s);
    if (!n) return std::nullopt;
    std::optional<double> unit = ReadUnit(s);
    if (!unit) {
      // Leniency: a bare number (and only that) is seconds.
      if (any || !s.empty()) return std::nullopt;
      return ClampNanos(*n * 1e9, max);
    }
    total_ns = std::min(total_ns + *n * *unit, 1e300);
    any = true;
  }
  return ClampNanos(total_ns, max);
}

std::optional<std::int64_t> ParseRemainingCount(std::string_view text) {
  std::string_view s = Trim(text);
  std::optional<double> n = ReadNumber(s);
  if (!n || !s.empty() || *n != std::floor(*n)) return std::nullopt;
  constexpr double kMax = static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2);
  return static_cast<std::int64_t>(std::min(*n, kMax));
}

bool IsProviderLimitHeader(std::string_view name) {
  const std::string lower = Lower(name);
  return lower == kRemainingRequests || lower == kRemainingTokens || lower == kResetRequests ||
         lower == kResetTokens || lower == kRetryAfterMs;
}

ProviderLimits ParseProviderLimits(const std::vector<std::pair<std::string, std::string>>& headers,
                                   Duration max_wait) {
  ProviderLimits out;
  for (const auto& [raw_name, value] : headers) {
    const std::string name = Lower(raw_name);
    if (name == kRemainingRequests) {
      out.remaining_requests = ParseRemainingCount(value);
    } else if (name == kRemainingTokens) {
      out.remaining_tokens = ParseRemainingCount(value);
    } else if (name == kResetRequests) {
      out.reset_requests = ParseResetDuration(value, max_wait);
    } else if (name == kResetTokens) {
      out.reset_tokens = ParseResetDuration(value, max_wait);
    } else if (name == kRetryAfterMs) {
      std::string_view v = Trim(value);
      std::optional<double> ms = ReadNumber(v);
      out.retry_after_ms =
          ms && v.empty() ? std::optional<Duration>(ClampNanos(*ms * 1e6, max_wait)) : std::nullopt;
    }
  }
  return out;
}

}  // namespace cnake::scheduler
