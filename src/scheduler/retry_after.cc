#include "scheduler/retry_after.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>

namespace cnake::scheduler {
namespace {

namespace chr = std::chrono;

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char ToLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// ---- delay-seconds --------------------------------------------------------

// Counts a run of digits starting at *pos and advances past it.
size_t SkipDigits(std::string_view s, size_t* pos) {
  const size_t start = *pos;
  while (*pos < s.size() && IsDigit(s[*pos])) ++*pos;
  return *pos - start;
}

// Grammar: 1*DIGIT [ "." 1*DIGIT ] [ ("e" / "E") ["+" / "-"] 1*DIGIT ].
std::optional<Duration> ParseDelaySeconds(std::string_view s, Duration max_wait) {
  size_t pos = 0;
  const size_t int_begin = pos;
  const size_t int_len = SkipDigits(s, &pos);
  if (int_len == 0) return std::nullopt;
  std::string_view frac;
  if (pos < s.size() && s[pos] == '.') {
    const size_t frac_begin = ++pos;
    if (SkipDigits(s, &pos) == 0) return std::nullopt;
    frac = s.substr(frac_begin, pos - frac_begin);
  }
  // Saturate the exponent well beyond any meaningful magnitude.
  constexpr long kExpLimit = 1'000'000;
  long exponent = 0;
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    bool negative = false;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) negative = s[pos++] == '-';
    const size_t exp_begin = pos;
    if (SkipDigits(s, &pos) == 0) return std::nullopt;
    for (size_t i = exp_begin; i < pos; ++i) {
      exponent = std::min(kExpLimit, exponent * 10 + (s[i] - '0'));
    }
    if (negative) exponent = -exponent;
  }
  if (pos != s.size()) return std::nullopt;

  // Decide huge/tiny from the decimal magnitude before converting, so that
  // std::from_chars only ever sees values well inside a double's range.
  std::string_view int_part = s.substr(int_begin, int_len);
  const size_t first_nonzero = int_part.find_first_not_of('0');
  long magnitude;  // floor(log10(value))
  if (first_nonzero != std::string_view::npos) {
    magnitude = static_cast<long>(int_part.size() - first_nonzero) - 1 + exponent;
  } else {
    const size_t frac_nonzero = frac.find_first_not_of('0');
    if (frac_nonzero == std::string_view::npos) return Duration::zero();
    magnitude = -static_cast<long>(frac_nonzero) - 1 + exponent;
  }
  // 1e10 s exceeds the int64 nanosecond range, hence every max_wait.
  if (magnitude >= 10) return max_wait;
  if (magnitude < -10) return Duration::zero();

  double seconds = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(seconds)) {
    return std::nullopt;  // unreachable given the grammar check; stay total
  }
  const double max_seconds = chr::duration<double>(max_wait).count();
  if (seconds >= max_seconds) return max_wait;
  const auto wait = Duration(static_cast<Duration::rep>(std::llround(seconds * 1e9)));
  return std::clamp(wait, Duration::zero(), max_wait);
}

// ---- HTTP-date ------------------------------------------------------------

constexpr std::array<std::string_view, 7> kShortDays = {"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

template <size_t N>
bool IsOneOf(std::string_view word, const std::array<std::string_view, N>& names) {
  return std::any_of(names.begin(), names.end(),
                     [word](std::string_view n) { return EqualsIgnoreCase(word, n); });
}

// A forward-only reader over the date text; every method fails (returns
// false) without reading past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool Done() const { return pos_ == s_.size(); }
  bool Char(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool Word(std::string_view* out) {
    const size_t start = pos_;
    while (pos_ < s_.size() && IsAlpha(s_[pos_])) ++pos_;
    *out = s_.substr(start, pos_ - start);
    return pos_ > start;
  }
  // Exactly n digits.
  bool Digits(int n, int* out) {
    int value = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= s_.size() || !IsDigit(s_[pos_])) return false;
      value = value * 10 + (s_[pos_++] - '0');
    }
    *out = value;
    return true;
  }
  bool Month(unsigned* out) {
    std::string_view word;
    if (!Word(&word)) return false;
    for (size_t i = 0; i < kMonths.size(); ++i) {
      if (EqualsIgnoreCase(word, kMonths[i])) {
        *out = static_cast<unsigned>(i + 1);
        return true;
      }
    }
    return false;
  }
  // "HH:MM:SS" as seconds since midnight.
  bool TimeOfDay(int* out) {
    int h, m, s;
    if (!Digits(2, &h) || !Char(':') || !Digits(2, &m) || !Char(':') || !Digits(2, &s)) {
      return false;
    }
    if (h > 23 || m > 59 || s > 60) return false;
    *out = h * 3600 + m * 60 + s;
    return true;
  }
  bool Gmt() {
    std::string_view word;
    return Word(&word) && EqualsIgnoreCase(word, "GMT");
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

struct DateParts {
  int year = 0;
  unsigned month = 0;
  int day = 0;
  int seconds_of_day = 0;
};

// After "Sun, ": "06 Nov 1994 08:49:37 GMT".
bool ParseImfRest(Cursor& c, DateParts* d) {
  return c.Digits(2, &d->day) && c.Char(' ') && c.Month(&d->month) && c.Char(' ') &&
         c.Digits(4, &d->year) && c.Char(' ') && c.TimeOfDay(&d->seconds_of_day) && c.Char(' ') &&
         c.Gmt() && c.Done();
}

// After "Sunday, ": "06-Nov-94 08:49:37 GMT". d->year gets the two digits.
bool ParseRfc850Rest(Cursor& c, DateParts* d) {
  return c.Digits(2, &d->day) && c.Char('-') && c.Month(&d->month) && c.Char('-') &&
         c.Digits(2, &d->year) && c.Char(' ') && c.TimeOfDay(&d->seconds_of_day) && c.Char(' ') &&
         c.Gmt() && c.Done();
}

// After "Sun ": "Nov  6 08:49:37 1994" (day is 2DIGIT or SP DIGIT).
bool ParseAsctimeRest(Cursor& c, DateParts* d) {
  if (!c.Month(&d->month) || !c.Char(' ')) return false;
  if (c.Char(' ')) {
    if (!c.Digits(1, &d->day)) return false;
  } else if (!c.Digits(2, &d->day)) {
    return false;
  }
  return c.Char(' ') && c.TimeOfDay(&d->seconds_of_day) && c.Char(' ') && c.Digits(4, &d->year) &&
         c.Done();
}

// RFC 9110 section 5.6.7: a two-digit year more than 50 years in the future
// is in the past century.
int ExpandTwoDigitYear(int two_digits, SystemTimePoint now_wall) {
  const int now_year =
      static_cast<int>(chr::year_month_day(chr::floor<chr::days>(now_wall)).year());
  int year = now_year - now_year % 100 + two_digits;
  if (year > now_year + 50) year -= 100;
  if (year + 100 <= now_year + 50) year += 100;
  return year;
}

std::optional<chr::sys_seconds> ParseHttpDate(std::string_view s, SystemTimePoint now_wall) {
  Cursor c(s);
  std::string_view day_name;
  if (!c.Word(&day_name)) return std::nullopt;
  DateParts d;
  bool ok = false;
  if (c.Char(',')) {
    if (!c.Char(' ')) return std::nullopt;
    if (IsOneOf(day_name, kShortDays)) {
      ok = ParseImfRest(c, &d);
    } else if (IsOneOf(day_name, kLongDays) && ParseRfc850Rest(c, &d)) {
      d.year = ExpandTwoDigitYear(d.year, now_wall);
      ok = true;
    }
  } else if (c.Char(' ') && IsOneOf(day_name, kShortDays)) {
    ok = ParseAsctimeRest(c, &d);
  }
  if (!ok) return std::nullopt;
  const chr::year_month_day ymd{chr::year(d.year), chr::month(d.month),
                                chr::day(static_cast<unsigned>(d.day))};
  if (!ymd.ok()) return std::nullopt;
  return chr::sys_days(ymd) + chr::seconds(d.seconds_of_day);
}

// date - now, clamped to [0, max_wait], in arithmetic that cannot overflow:
// whole seconds first (years 0..9999 fit easily), nanoseconds only once the
// difference is known to be small.
Duration WaitUntil(chr::sys_seconds date, SystemTimePoint now_wall, Duration max_wait) {
  const auto now_s = chr::floor<chr::seconds>(now_wall);
  const auto diff_s = (date - now_s).count();
  if (diff_s <= 0) return Duration::zero();
  if (diff_s > chr::floor<chr::seconds>(max_wait).count() + 1) return max_wait;
  const Duration diff = chr::seconds(diff_s) - (now_wall - now_s);
  return std::clamp(diff, Duration::zero(), max_wait);
}

}  // namespace

std::optional<Duration> ParseRetryAfter(std::string_view value, SystemTimePoint now_wall,
                                        Duration max_wait) {
  max_wait = std::max(max_wait, Duration::zero());
  value = TrimOws(value);
  if (value.empty()) return std::nullopt;
  if (IsDigit(value.front())) return ParseDelaySeconds(value, max_wait);
  const auto date = ParseHttpDate(value, now_wall);
  if (!date) return std::nullopt;
  return WaitUntil(*date, now_wall, max_wait);
}

}  // namespace cnake::scheduler
