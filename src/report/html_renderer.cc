// HTML: one self-contained page per report (inline CSS and SVG, no scripts,
// no external resources; a Content-Security-Policy forbids them, so even an
// escaping bug cannot run code). All text from the database is escaped.
#include <fmt/format.h>

#include "report/renderer.h"
#include "report/svg_charts.h"
#include "report/text_escape.h"

namespace cnake::report {
namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5a6272;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px 14px;min-width:120px}
.card .v{font-size:20px;font-weight:600}.card .k{color:#5a6272;font-size:12px}
.hints{background:#fff7e0;border:1px solid #f0d48a;border-radius:6px;padding:8px 14px 8px 30px}
table{border-collapse:collapse;background:#fff;margin:6px 0;max-width:100%}
th,td{border:1px solid #dde1e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.t{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all;max-width:640px}
.chart{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:6px 0;max-width:100%;height:auto}
.chart-title{font-weight:600;font-size:13px}.tick{font-size:11px;fill:#5a6272}.axis-label{font-size:11px;fill:#5a6272}
.grid{stroke:#e6e9ee;stroke-width:1}
.s-completed{fill:#2e9d5b}.s-failed{fill:#d64545}.s-pending{fill:#9aa3b2}.s-submitted{fill:#5b8def}
.s-processing{fill:#3b6fd1}.s-retrying{fill:#e59f2c}.s-other{fill:#7d5bd6}.s-latency{fill:#3b6fd1}.s-attempts{fill:#6c7a91}
.note{color:#5a6272;font-size:12px}
)";

constexpr const char* kNone = "–";

std::string Text(const std::string& s) { return HtmlEscape(s); }
std::string OptText(const std::optional<std::string>& s) { return s ? HtmlEscape(*s) : kNone; }
std::string Int(std::int64_t v) { return std::to_string(v); }
std::string Int(const std::optional<int>& v) { return v ? std::to_string(*v) : kNone; }
std::string Fixed(const std::optional<double>& v, int precision) {
  return v ? fmt::format("{:.{}f}", *v, precision) : kNone;
}
std::string Ms(const std::optional<double>& v) { return v ? FormatMs(*v) : kNone; }
std::string StateName(EntryState state) { return std::string(EntryStateName(state)); }

void PageStart(std::ostream& out, std::string_view title, std::string_view generated_at) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; img-src data:\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>" << HtmlEscape(title) << "</title><style>" << kStyle << "</style></head><body>\n"
      << "<h1>" << HtmlEscape(title) << "</h1><div class=\"meta\">generated "
      << HtmlEscape(generated_at) << " by cnake-charmer-client</div>\n";
}

void PageEnd(std::ostream& out) { out << "</body></html>\n"; }

void Card(std::ostream& out, std::string_view key, const std::string& value) {
  out << "<div class=\"card\"><div class=\"v\">" << value << "</div><div class=\"k\">"
      << HtmlEscape(key) << "</div></div>";
}

void Hints(std::ostream& out, const ErrorsDoc& errors) {
  if (errors.hints.empty()) return;
  out << "<h2>Hints</h2><ul class=\"hints\">";
  for (const std::string& h : errors.hints) out << "<li>" << Text(h) << "</li>";
  out << "</ul>\n";
}

void PatternTable(std::ostream& out, const ErrorsDoc& errors) {
  out << "<h2>Error patterns</h2>";
  if (errors.patterns.empty()) {
    out << "<p>No entry failed.</p>\n";
    return;
  }
  out << "<table><thead><tr><th>count</th><th>error type</th><th>HTTP</th><th>pattern</th>"
         "<th>first seen</th><th>last seen</th><th>example entries</th></tr></thead><tbody>\n";
  for (const ErrorPattern& p : errors.patterns) {
    std::string examples;
    for (const std::string& e : p.examples) examples += (examples.empty() ? "" : "<br>") + Text(e);
    out << "<tr><td class=\"n\">" << Int(p.count) << "</td><td>" << Text(p.error_type)
        << "</td><td class=\"n\">" << Int(p.http_status) << "</td><td class=\"t\">"
        << Text(p.pattern) << "</td><td>" << Text(p.first_seen) << "</td><td>" << Text(p.last_seen)
        << "</td><td class=\"t\">" << examples << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

void RequestErrorTable(std::ostream& out, const ErrorsDoc& errors) {
  if (errors.request_errors.empty()) return;
  out << "<h2>Failed requests (including retried ones)</h2><table><thead><tr><th>count</th>"
         "<th>endpoint</th><th>error type</th><th>HTTP</th><th>first seen</th><th>last seen</th>"
         "</tr></thead><tbody>\n";
  for (const RequestErrorRow& r : errors.request_errors) {
    out << "<tr><td class=\"n\">" << Int(r.count) << "</td><td>" << Text(r.endpoint) << "</td><td>"
        << Text(r.error_type) << "</td><td class=\"n\">" << Int(r.http_status) << "</td><td>"
        << OptText(r.first_seen) << "</td><td>" << OptText(r.last_seen) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

void KeyFigures(std::ostream& out, const SummaryDoc& s) {
  const Performance& perf = s.performance;
  const LatencyRow& lat = perf.latency;
  const auto rate = s.success_rate();
  out << "<div class=\"cards\">";
  Card(out, "entries", Int(s.entries.total()));
  for (EntryState state : {EntryState::kCompleted, EntryState::kFailed}) {
    Card(out, StateName(state), Int(s.entries.Of(state)));
  }
  Card(out, "success rate", rate ? fmt::format("{:.1f}%", 100 * *rate) : kNone);
  Card(out, "wall time (s)", fmt::format("{:.1f}", perf.wall_time_seconds));
  Card(out, "entries/s", perf.entries_per_second ? FormatRate(*perf.entries_per_second) : kNone);
  Card(out, "API requests", Int(s.requests.total));
  if (auto per_entry = s.requests_per_entry()) {
    Card(out, "requests per entry", Fixed(*per_entry, 2));
  }
  Card(out, "429 responses", Int(s.requests.http_429));
  Card(out, "latency p50/p90/p99 (ms)",
       Ms(lat.p50_ms) + " / " + Ms(lat.p90_ms) + " / " + Ms(lat.p99_ms));
  out << "</div>\n";
}

void StateChart(std::ostream& out, const SummaryDoc& s) {
  std::vector<HorizontalBar> states;
  for (EntryState state : kAllEntryStates) {
    states.push_back(
        {StateName(state), static_cast<double>(s.entries.Of(state)), "s-" + StateName(state)});
  }
  for (const auto& [text, n] : s.entries.unknown_states) {
    states.push_back({text, static_cast<double>(n), "s-other"});
  }
  out << "<h2>Entries by state</h2>" << HorizontalBarsSvg("Entries by state", states) << "\n";
}

void Charts(std::ostream& out, const SummaryDoc& s) {
  StateChart(out, s);
  const SummaryDoc::Timeline& tl = s.timeline;
  std::vector<std::string> labels;
  ChartSeries ok{StateName(EntryState::kCompleted), "s-completed", {}};
  ChartSeries bad{StateName(EntryState::kFailed), "s-failed", {}};
  for (const auto& b : tl.buckets) {
    labels.push_back(fmt::format("+{:g}s", b.offset_seconds));
    ok.values.push_back(static_cast<double>(b.completed));
    bad.values.push_back(static_cast<double>(b.failed));
  }
  out << "<h2>Throughput over time</h2>"
      << BarChartSvg(fmt::format("Entries finished per {:g} s", tl.bucket_seconds), labels,
                     {ok, bad}, "time since the first result", "entries")
      << "\n";

  labels.clear();
  ChartSeries lat{"requests", "s-latency", {}};
  const std::vector<double>& bounds = LatencyBoundsMs();
  const std::vector<std::int64_t>& counts = s.performance.latency.histogram;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    labels.push_back(i < bounds.size() ? fmt::format("≤{:g}", bounds[i]) : "more");
    lat.values.push_back(i < counts.size() ? static_cast<double>(counts[i]) : 0);
  }
  out << "<h2>API latency</h2>"
      << BarChartSvg("Requests per latency bucket (ms)", labels, {lat}, "latency (ms)", "requests")
      << "\n";

  labels.clear();
  ChartSeries att{"entries", "s-attempts", {}};
  for (const AttemptsRow& r : s.attempts.distribution) {
    labels.push_back(std::to_string(r.attempts));
    att.values.push_back(static_cast<double>(r.entries));
  }
  out << "<h2>Attempts per finished entry</h2>"
      << BarChartSvg("Entries per number of attempts", labels, {att}, "attempts", "entries")
      << "\n";
}

void Batches(std::ostream& out, const SummaryDoc& s) {
  out << "<h2>Batches</h2><table><thead><tr><th>batch</th><th>status</th><th>stop reason</th>"
         "<th>started</th><th>finished at</th><th>wall time (s)</th><th>entries</th></tr></thead>"
         "<tbody>\n";
  for (const ReportBatchRow& b : s.batches) {
    out << "<tr><td class=\"t\">" << Text(b.id) << "</td><td>" << OptText(b.status_text)
        << "</td><td>" << OptText(b.stop_reason) << "</td><td>" << OptText(b.started_at)
        << "</td><td>" << OptText(b.completed_at) << "</td><td class=\"n\">"
        << fmt::format("{:.1f}", b.wall_time_seconds) << "</td><td class=\"n\">"
        << Int(b.total_entries) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

class HtmlRenderer final : public Renderer {
 public:
  explicit HtmlRenderer(std::ostream& out) : out_(out) {}

  bool SummaryShowsErrors() const override { return true; }

  void Summary(const SummaryDoc& s, const ErrorsDoc* errors) override {
    PageStart(out_, ReportTitle("summary", s.header), s.header.generated_at);
    KeyFigures(out_, s);
    if (errors) Hints(out_, *errors);
    Charts(out_, s);
    Batches(out_, s);
    if (errors) {
      PatternTable(out_, *errors);
      RequestErrorTable(out_, *errors);
    }
    out_ << "<p class=\"note\">Paused on the API's Retry-After: "
         << Fixed(s.waits.rate_limit_seconds, 1)
         << " s; circuit breaker open: " << Fixed(s.waits.circuit_breaker_open_seconds, 1) << " s";
    if (s.waits.reason) out_ << " (" << Text(*s.waits.reason) << ")";
    out_ << ".</p>\n";
    if (s.tokens) TokenNote(*s.tokens);
    PageEnd(out_);
  }

  // The chat protocol's reported tokens (token_figures.h).
  void TokenNote(const SummaryDoc::Tokens& tokens) {
    const nlohmann::json t = TokensJson(tokens.totals, tokens.prices);
    out_ << "<p class=\"note\">Tokens: " << Int(tokens.totals.prompt_tokens) << " prompt + "
         << Int(tokens.totals.completion_tokens) << " completion = " << Int(tokens.totals.total())
         << " (" << Fixed(t["per_entry"].get<double>(), 0) << " per entry)";
    if (t["cost"].is_number()) out_ << "; cost " << Fixed(t["cost"].get<double>(), 4);
    if (tokens.totals.interrupted > 0) {
      out_ << "; " << Int(tokens.totals.interrupted)
           << " attempts interrupted (sent, answer never recorded)";
    }
    out_ << ".</p>\n";
  }

  void Errors(const ErrorsDoc& errors) override {
    PageStart(out_, ReportTitle("errors", errors.header), errors.header.generated_at);
    out_ << "<div class=\"cards\">";
    Card(out_, "failures", Int(errors.failures));
    Card(out_, "patterns", Int(static_cast<std::int64_t>(errors.patterns.size())));
    out_ << "</div>\n";
    Hints(out_, errors);
    PatternTable(out_, errors);
    RequestErrorTable(out_, errors);
    PageEnd(out_);
  }

  void DetailBegin(const ReportHeader& header) override {
    PageStart(out_, ReportTitle("detailed", header), header.generated_at);
    out_ << "<table><thead><tr>";
    for (const std::string& c : DetailColumns()) out_ << "<th>" << HtmlEscape(c) << "</th>";
    out_ << "</tr></thead><tbody>\n";
  }

  void DetailEntry(const DetailRow& row) override {
    out_ << "<tr>";
    for (const std::string& cell : DetailCells(row)) out_ << "<td>" << HtmlEscape(cell) << "</td>";
    out_ << "</tr>\n";
  }

  void DetailEnd(std::int64_t entries) override {
    out_ << "</tbody></table>\n<p class=\"note\">" << entries << " entries.</p>\n";
    PageEnd(out_);
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Renderer> MakeHtmlRenderer(std::ostream& out) {
  return std::make_unique<HtmlRenderer>(out);
}

}  // namespace cnake::report
