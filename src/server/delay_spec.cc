#include "server/delay_spec.h"

#include <charconv>
#include <cmath>
#include <numbers>

#include "server/hashing.h"

namespace cnake::server {
namespace {

constexpr Micros kMaxDelay = std::chrono::hours(1);

Result<double> ParseNumber(std::string_view text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return InvalidArgument("not a number: '" + std::string(text) + "'");
  }
  return value;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Micros> ParseDuration(std::string_view text) {
  text = Trim(text);
  if (text == "0") return Micros(0);
  struct Unit {
    std::string_view suffix;
    double micros;
  };
  // "ms" and "us" must be tried before "s".
  static constexpr Unit kUnits[] = {{"us", 1}, {"ms", 1e3}, {"s", 1e6}, {"m", 60e6}};
  for (const Unit& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      auto number = ParseNumber(text.substr(0, text.size() - unit.suffix.size()));
      if (!number.ok()) break;
      const double us = *number * unit.micros;
      if (us < 0 || us > static_cast<double>(kMaxDelay.count())) {
        return InvalidArgument("duration out of range [0, 1h]: '" + std::string(text) + "'");
      }
      return Micros(static_cast<int64_t>(std::llround(us)));
    }
  }
  return InvalidArgument("bad duration '" + std::string(text) +
                         "': expected a number with a unit us, ms, s or m (e.g. 200ms)");
}

std::string FormatDuration(Micros d) {
  const int64_t us = d.count();
  if (us == 0) return "0ms";
  if (us % 1000000 == 0) return std::to_string(us / 1000000) + "s";
  if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
  return std::to_string(us) + "us";
}

DelaySpec DelaySpec::Fixed(Micros d) {
  DelaySpec spec;
  spec.a_ = d;
  return spec;
}

Result<DelaySpec> DelaySpec::Parse(std::string_view text) {
  text = Trim(text);
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("bad delay '" + std::string(text) +
                           "': expected fixed:<d>, uniform:<lo>,<hi> or "
                           "lognormal:median=<d>,sigma=<x>");
  }
  const std::string_view kind = text.substr(0, colon);
  const std::string_view args = text.substr(colon + 1);
  DelaySpec spec;
  if (kind == "fixed") {
    CNAKE_ASSIGN_OR_RETURN(spec.a_, ParseDuration(args));
    return spec;
  }
  const size_t comma = args.find(',');
  if (comma == std::string_view::npos) {
    return InvalidArgument("bad delay '" + std::string(text) + "': expected two arguments");
  }
  std::string_view first = Trim(args.substr(0, comma));
  std::string_view second = Trim(args.substr(comma + 1));
  if (kind == "uniform") {
    spec.kind_ = Kind::kUniform;
    CNAKE_ASSIGN_OR_RETURN(spec.a_, ParseDuration(first));
    CNAKE_ASSIGN_OR_RETURN(spec.b_, ParseDuration(second));
    if (spec.b_ < spec.a_) return InvalidArgument("uniform delay: high is below low");
    return spec;
  }
  if (kind == "lognormal") {
    if (!first.starts_with("median=") || !second.starts_with("sigma=")) {
      return InvalidArgument("lognormal delay: expected median=<d>,sigma=<x>");
    }
    spec.kind_ = Kind::kLognormal;
    CNAKE_ASSIGN_OR_RETURN(spec.a_, ParseDuration(first.substr(7)));
    CNAKE_ASSIGN_OR_RETURN(spec.sigma_, ParseNumber(second.substr(6)));
    if (spec.sigma_ < 0 || spec.sigma_ > 10)
      return InvalidArgument("lognormal sigma out of [0, 10]");
    return spec;
  }
  return InvalidArgument("unknown delay distribution '" + std::string(kind) + "'");
}

std::string DelaySpec::ToString() const {
  switch (kind_) {
    case Kind::kFixed:
      return "fixed:" + FormatDuration(a_);
    case Kind::kUniform:
      return "uniform:" + FormatDuration(a_) + "," + FormatDuration(b_);
    case Kind::kLognormal: {
      std::string sigma = std::to_string(sigma_);
      while (sigma.size() > 1 && sigma.back() == '0') sigma.pop_back();
      if (sigma.back() == '.') sigma.pop_back();
      return "lognormal:median=" + FormatDuration(a_) + ",sigma=" + sigma;
    }
  }
  return "fixed:0ms";
}

Micros DelaySpec::Sample(uint64_t hash) const {
  switch (kind_) {
    case Kind::kFixed:
      return a_;
    case Kind::kUniform: {
      const double u = UnitInterval(Mix64(hash));
      return a_ + Micros(static_cast<int64_t>(u * static_cast<double>((b_ - a_).count() + 1)));
    }
    case Kind::kLognormal: {
      // Box-Muller from two independent uniforms; u1 is kept away from 0.
      const double u1 = UnitInterval(Mix64(hash)) * (1 - 1e-12) + 1e-12;
      const double u2 = UnitInterval(Mix64(hash ^ 0x5bd1e995ULL));
      const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
      const double us = static_cast<double>(a_.count()) * std::exp(sigma_ * z);
      return Micros(static_cast<int64_t>(std::min(us, static_cast<double>(kMaxDelay.count()))));
    }
  }
  return Micros(0);
}

}  // namespace cnake::server
