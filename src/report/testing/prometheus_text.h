// A strict parser for the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), for tests
// that check what /metrics serves. Stricter than Prometheus itself where the
// format is ambiguous: no trailing comma in label sets, every line ends with
// '\n', TYPE before a family's samples, a family's lines contiguous, no
// duplicate series. Histograms: per label set, le buckets increasing,
// cumulative counts non-decreasing, a final +Inf bucket, and _sum and
// _count present with _count equal to the +Inf bucket.
// Test-only; header-only.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cnake::report::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string name, help, type = "untyped";
  std::vector<PromSample> samples;
};

class PrometheusTextParser {
 public:
  // Returns false and sets error() ("line N: ...") on the first violation.
  bool Parse(std::string_view text) {
    if (!text.empty() && text.back() != '\n') return Fail(0, "the last line does not end with \\n");
    std::size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
      const std::size_t end = text.find('\n', pos);
      const std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!ParseLine(line, line_no)) return false;
    }
    return FinishFamily(line_no);
  }
  const std::string& error() const { return error_; }
  const std::vector<PromFamily>& families() const { return families_; }
  const PromFamily* Find(const std::string& name) const {
    for (const auto& f : families_) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  static bool IsMetricName(std::string_view n) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const char c = n[i];
      const bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
                      (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
      if (!ok) return false;
    }
    return true;
  }
  static bool IsLabelName(std::string_view n) {
    if (n.empty() || n.rfind("__", 0) == 0) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const char c = n[i];
      const bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                      (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
      if (!ok) return false;
    }
    return true;
  }
  // Go's ParseFloat forms that Prometheus writes: decimal/exponent, NaN, ±Inf.
  static bool ParseValue(std::string_view s, double* v) {
    if (s == "NaN") return *v = std::nan(""), true;
    if (s == "+Inf" || s == "Inf") return *v = HUGE_VAL, true;
    if (s == "-Inf") return *v = -HUGE_VAL, true;
    if (s.empty()) return false;
    for (char c : s) {
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
            c == '+' || c == '-')) {
        return false;
      }
    }
    const std::string str(s);
    char* end = nullptr;
    *v = std::strtod(str.c_str(), &end);
    return end == str.c_str() + str.size();
  }

 private:
  bool Fail(std::size_t line, const std::string& what) {
    error_ = "line " + std::to_string(line) + ": " + what;
    return false;
  }

  bool ParseLine(std::string_view line, std::size_t n) {
    if (line.empty()) return true;
    if (line[0] == '#') return ParseComment(line, n);
    return ParseSample(line, n);
  }

  bool ParseComment(std::string_view line, std::size_t n) {
    const bool help = line.rfind("# HELP ", 0) == 0, type = line.rfind("# TYPE ", 0) == 0;
    if (!help && !type) return true;  // a plain comment
    std::string_view rest = line.substr(7);
    const std::size_t sp = rest.find(' ');
    const std::string name(rest.substr(0, sp));
    const std::string_view arg = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
    if (!IsMetricName(name)) return Fail(n, "bad metric name in comment: " + name);
    if (!current_ || current_->name != name) {
      if (!FinishFamily(n)) return false;
      if (seen_families_.count(name)) return Fail(n, "family " + name + " is not contiguous");
      seen_families_.insert(name);
      families_.push_back({name, "", "untyped", {}});
      current_ = &families_.back();
      help_seen_ = type_seen_ = false;
    }
    if (help) {
      if (help_seen_) return Fail(n, "second HELP for " + name);
      help_seen_ = true;
      for (std::size_t i = 0; i < arg.size(); ++i) {
        if (arg[i] == '\\' && (i + 1 >= arg.size() || (arg[i + 1] != '\\' && arg[i + 1] != 'n'))) {
          return Fail(n, "bad escape in HELP");
        }
        if (arg[i] == '\\') ++i;
      }
      current_->help = std::string(arg);
      return true;
    }
    if (type_seen_) return Fail(n, "second TYPE for " + name);
    if (!current_->samples.empty()) return Fail(n, "TYPE after samples of " + name);
    static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                 "untyped"};
    if (!kTypes.count(std::string(arg))) return Fail(n, "bad TYPE " + std::string(arg));
    type_seen_ = true;
    current_->type = std::string(arg);
    return true;
  }

  // The family a sample name belongs to, given the family's type.
  static bool BelongsTo(const std::string& sample, const PromFamily& f) {
    if (sample == f.name) return f.type != "histogram";
    auto suffix = [&](const char* s) { return sample == f.name + s; };
    if (f.type == "histogram") return suffix("_bucket") || suffix("_sum") || suffix("_count");
    if (f.type == "summary") return suffix("_sum") || suffix("_count");
    return false;
  }

  bool ParseLabels(std::string_view s, std::size_t& i, PromSample& out, std::size_t n) {
    ++i;  // '{'
    bool first = true;
    while (i < s.size() && s[i] != '}') {
      if (!first) {
        if (s[i] != ',') return Fail(n, "expected , between labels");
        ++i;
      }
      first = false;
      const std::size_t eq = s.find('=', i);
      if (eq == std::string_view::npos) return Fail(n, "label without =");
      const std::string name(s.substr(i, eq - i));
      if (!IsLabelName(name)) return Fail(n, "bad label name '" + name + "'");
      i = eq + 1;
      if (i >= s.size() || s[i] != '"') return Fail(n, "label value not quoted");
      std::string value;
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') {
          if (i + 1 >= s.size()) return Fail(n, "dangling escape");
          const char e = s[++i];
          if (e == 'n') {
            value += '\n';
          } else if (e == '\\' || e == '"') {
            value += e;
          } else {
            return Fail(n, "bad escape in label value");
          }
        } else if (s[i] == '\n') {
          return Fail(n, "newline in label value");
        } else {
          value += s[i];
        }
      }
      if (i >= s.size()) return Fail(n, "unterminated label value");
      ++i;  // closing quote
      if (out.labels.count(name)) return Fail(n, "duplicate label " + name);
      out.labels[name] = value;
    }
    if (i >= s.size()) return Fail(n, "unterminated label set");
    ++i;  // '}'
    return true;
  }

  bool ParseSample(std::string_view s, std::size_t n) {
    PromSample sample;
    std::size_t i = 0;
    while (i < s.size() && s[i] != '{' && s[i] != ' ') ++i;
    sample.name = std::string(s.substr(0, i));
    if (!IsMetricName(sample.name)) return Fail(n, "bad metric name '" + sample.name + "'");
    if (i < s.size() && s[i] == '{' && !ParseLabels(s, i, sample, n)) return false;
    if (i >= s.size() || s[i] != ' ') return Fail(n, "expected a space before the value");
    std::string_view rest = s.substr(i + 1);
    const std::size_t sp = rest.find(' ');
    const std::string_view value = rest.substr(0, sp);
    if (!ParseValue(value, &sample.value)) return Fail(n, "bad value '" + std::string(value) + "'");
    if (sp != std::string_view::npos) {
      const std::string_view ts = rest.substr(sp + 1);
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string_view::npos) {
        return Fail(n, "bad timestamp");
      }
    }
    if (!current_ || !BelongsTo(sample.name, *current_)) {
      // An untyped sample without comments starts its own family.
      if (!FinishFamily(n)) return false;
      if (seen_families_.count(sample.name))
        return Fail(n, "family " + sample.name + " is not contiguous");
      seen_families_.insert(sample.name);
      families_.push_back({sample.name, "", "untyped", {}});
      current_ = &families_.back();
      help_seen_ = type_seen_ = false;
    }
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += "\x01" + k + "=" + v;
    if (!series_.insert(key).second) return Fail(n, "duplicate series " + sample.name);
    current_->samples.push_back(std::move(sample));
    return true;
  }

  bool FinishFamily(std::size_t n) {
    if (!current_) return true;
    const PromFamily& f = *current_;
    current_ = nullptr;
    if (f.type == "counter") {
      for (const auto& s : f.samples) {
        if (s.value < 0) return Fail(n, "negative counter " + s.name);
      }
    }
    return f.type == "histogram" ? CheckHistogram(f, n) : true;
  }

  bool CheckHistogram(const PromFamily& f, std::size_t n) {
    struct Series {
      std::vector<std::pair<double, double>> buckets;  // le, count (in file order)
      bool has_sum = false, has_count = false;
      double count = 0;
    };
    std::map<std::map<std::string, std::string>, Series> by_labels;
    for (const auto& s : f.samples) {
      auto labels = s.labels;
      if (s.name == f.name + "_bucket") {
        auto le = labels.find("le");
        if (le == labels.end()) return Fail(n, f.name + "_bucket without le");
        double bound;
        if (!ParseValue(le->second, &bound)) return Fail(n, "bad le " + le->second);
        labels.erase(le);
        by_labels[labels].buckets.push_back({bound, s.value});
      } else if (s.name == f.name + "_sum") {
        by_labels[labels].has_sum = true;
      } else {
        by_labels[labels].has_count = true;
        by_labels[labels].count = s.value;
      }
    }
    if (by_labels.empty()) return Fail(n, "histogram " + f.name + " has no samples");
    for (const auto& [labels, series] : by_labels) {
      if (series.buckets.empty()) return Fail(n, f.name + ": no buckets");
      for (std::size_t i = 1; i < series.buckets.size(); ++i) {
        if (!(series.buckets[i].first > series.buckets[i - 1].first)) {
          return Fail(n, f.name + ": le not increasing");
        }
        if (series.buckets[i].second < series.buckets[i - 1].second) {
          return Fail(n, f.name + ": bucket counts not cumulative");
        }
      }
      if (!std::isinf(series.buckets.back().first)) return Fail(n, f.name + ": no +Inf bucket");
      if (!series.has_sum || !series.has_count) return Fail(n, f.name + ": _sum or _count missing");
      if (series.count != series.buckets.back().second) {
        return Fail(n, f.name + ": _count differs from the +Inf bucket");
      }
    }
    return true;
  }

  std::vector<PromFamily> families_;
  PromFamily* current_ = nullptr;
  bool help_seen_ = false, type_seen_ = false;
  std::set<std::string> seen_families_, series_;
  std::string error_;
};

}  // namespace cnake::report::testing
