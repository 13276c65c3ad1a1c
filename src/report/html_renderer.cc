#include "report/html_renderer.h"

#include <fmt/format.h>

#include "report/svg_charts.h"
#include "report/text_escape.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

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

std::string Text(const ordered_json& v, int precision = 2) {
  if (v.is_null()) return "–";
  if (v.is_string()) return HtmlEscape(v.get<std::string>());
  if (v.is_number_integer()) return fmt::format("{}", v.get<std::int64_t>());
  if (v.is_number()) return fmt::format("{:.{}f}", v.get<double>(), precision);
  return HtmlEscape(v.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

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

void Hints(std::ostream& out, const ordered_json& errors) {
  const ordered_json& hints = errors["hints"];
  if (!hints.is_array() || hints.empty()) return;
  out << "<h2>Hints</h2><ul class=\"hints\">";
  for (const auto& h : hints) out << "<li>" << Text(h) << "</li>";
  out << "</ul>\n";
}

void PatternTable(std::ostream& out, const ordered_json& errors) {
  out << "<h2>Error patterns</h2>";
  const ordered_json& patterns = errors["patterns"];
  if (patterns.empty()) {
    out << "<p>No entry failed.</p>\n";
    return;
  }
  out << "<table><thead><tr><th>count</th><th>error type</th><th>HTTP</th><th>pattern</th>"
         "<th>first seen</th><th>last seen</th><th>example entries</th></tr></thead><tbody>\n";
  for (const auto& p : patterns) {
    std::string examples;
    for (const auto& e : p["examples"]) examples += (examples.empty() ? "" : "<br>") + Text(e);
    out << "<tr><td class=\"n\">" << Text(p["count"]) << "</td><td>" << Text(p["error_type"])
        << "</td><td class=\"n\">" << Text(p["http_status"]) << "</td><td class=\"t\">"
        << Text(p["pattern"]) << "</td><td>" << Text(p["first_seen"]) << "</td><td>"
        << Text(p["last_seen"]) << "</td><td class=\"t\">" << examples << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

void RequestErrorTable(std::ostream& out, const ordered_json& errors) {
  const ordered_json& rows = errors["request_errors"];
  if (rows.empty()) return;
  out << "<h2>Failed requests (including retried ones)</h2><table><thead><tr><th>count</th>"
         "<th>endpoint</th><th>error type</th><th>HTTP</th><th>first seen</th><th>last seen</th>"
         "</tr></thead><tbody>\n";
  for (const auto& r : rows) {
    out << "<tr><td class=\"n\">" << Text(r["count"]) << "</td><td>" << Text(r["endpoint"])
        << "</td><td>" << Text(r["error_type"]) << "</td><td class=\"n\">" << Text(r["http_status"])
        << "</td><td>" << Text(r["first_seen"]) << "</td><td>" << Text(r["last_seen"])
        << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

void KeyFigures(std::ostream& out, const ordered_json& s) {
  const ordered_json& states = s["entries"]["by_state"];
  const ordered_json& lat = s["latency_ms"];
  out << "<div class=\"cards\">";
  Card(out, "entries", Text(s["entries"]["total"]));
  Card(out, "completed", Text(states["completed"]));
  Card(out, "failed", Text(states["failed"]));
  Card(out, "success rate",
       s["success_rate"].is_null() ? "–"
                                   : fmt::format("{:.1f}%", 100 * s["success_rate"].get<double>()));
  Card(out, "wall time (s)", Text(s["wall_time_seconds"], 1));
  Card(out, "entries/s", Text(s["throughput_entries_per_second"]));
  Card(out, "API requests", Text(s["requests"]["total"]));
  Card(out, "429 responses", Text(s["requests"]["http_429"]));
  Card(out, "latency p50/p90/p99 (ms)",
       Text(lat["p50"], 0) + " / " + Text(lat["p90"], 0) + " / " + Text(lat["p99"], 0));
  out << "</div>\n";
}

void Charts(std::ostream& out, const ordered_json& s) {
  std::vector<HorizontalBar> states;
  for (const auto& [state, n] : s["entries"]["by_state"].items()) {
    const bool known = state == "completed" || state == "failed" || state == "pending" ||
                       state == "submitted" || state == "processing" || state == "retrying";
    states.push_back({state, n.get<double>(), known ? "s-" + state : "s-other"});
  }
  out << "<h2>Entries by state</h2>" << HorizontalBarsSvg("Entries by state", states) << "\n";

  const ordered_json& tl = s["timeline"];
  std::vector<std::string> labels;
  ChartSeries ok{"completed", "s-completed", {}}, bad{"failed", "s-failed", {}};
  for (const auto& b : tl["buckets"]) {
    labels.push_back(fmt::format("+{:g}s", b["offset_seconds"].get<double>()));
    ok.values.push_back(b["completed"].get<double>());
    bad.values.push_back(b["failed"].get<double>());
  }
  out << "<h2>Throughput over time</h2>"
      << BarChartSvg(fmt::format("Entries finished per {:g} s", tl["bucket_seconds"].get<double>()),
                     labels, {ok, bad}, "time since the first result", "entries")
      << "\n";

  labels.clear();
  ChartSeries lat{"requests", "s-latency", {}};
  for (const auto& b : s["latency_histogram_ms"]) {
    labels.push_back(b["le"].is_null() ? "more" : fmt::format("≤{:g}", b["le"].get<double>()));
    lat.values.push_back(b["count"].get<double>());
  }
  out << "<h2>API latency</h2>"
      << BarChartSvg("Requests per latency bucket (ms)", labels, {lat}, "latency (ms)", "requests")
      << "\n";

  labels.clear();
  ChartSeries att{"entries", "s-attempts", {}};
  for (const auto& b : s["attempts"]["distribution"]) {
    labels.push_back(std::to_string(b["attempts"].get<std::int64_t>()));
    att.values.push_back(b["entries"].get<double>());
  }
  out << "<h2>Attempts per finished entry</h2>"
      << BarChartSvg("Entries per number of attempts", labels, {att}, "attempts", "entries")
      << "\n";
}

void Batches(std::ostream& out, const ordered_json& s) {
  out << "<h2>Batches</h2><table><thead><tr><th>batch</th><th>status</th><th>stop reason</th>"
         "<th>started</th><th>completed</th><th>wall time (s)</th><th>entries</th></tr></thead>"
         "<tbody>\n";
  for (const auto& b : s["batches"]) {
    out << "<tr><td class=\"t\">" << Text(b["id"]) << "</td><td>" << Text(b["status"])
        << "</td><td>" << Text(b["stop_reason"]) << "</td><td>" << Text(b["started_at"])
        << "</td><td>" << Text(b["completed_at"]) << "</td><td class=\"n\">"
        << Text(b["wall_time_seconds"], 1) << "</td><td class=\"n\">" << Text(b["total_entries"])
        << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

std::string Title(std::string_view kind, const ordered_json& doc) {
  return doc["batch_id"].is_null() ? fmt::format("cnake-charmer {} report: all batches", kind)
                                   : fmt::format("cnake-charmer {} report: batch {}", kind,
                                                 doc["batch_id"].get<std::string>());
}

}  // namespace

void RenderSummaryHtml(const ordered_json& summary, const ordered_json& errors, std::ostream& out) {
  PageStart(out, Title("summary", summary), summary["generated_at"].get<std::string>());
  KeyFigures(out, summary);
  Hints(out, errors);
  Charts(out, summary);
  Batches(out, summary);
  PatternTable(out, errors);
  RequestErrorTable(out, errors);
  const ordered_json& waits = summary["waits"];
  out << "<p class=\"note\">Paused on the API's Retry-After: "
      << Text(waits["rate_limit_seconds"], 1)
      << " s; circuit breaker open: " << Text(waits["circuit_breaker_open_seconds"], 1) << " s";
  if (!waits["reason"].is_null()) out << " (" << Text(waits["reason"]) << ")";
  out << ".</p>\n";
  if (summary.contains("tokens") && summary["tokens"].value("total", std::int64_t{0}) > 0) {
    const ordered_json& t = summary["tokens"];
    out << "<p class=\"note\">Tokens: " << Text(t["prompt"]) << " prompt + "
        << Text(t["completion"]) << " completion = " << Text(t["total"]) << " ("
        << Text(t["per_entry"], 0) << " per entry)";
    if (t["cost"].is_number()) out << "; cost " << Text(t["cost"], 4);
    out << ".</p>\n";
  }
  PageEnd(out);
}

void RenderErrorsHtml(const ordered_json& errors, std::ostream& out) {
  PageStart(out, Title("errors", errors), errors["generated_at"].get<std::string>());
  out << "<div class=\"cards\">";
  Card(out, "failures", Text(errors["failures"]));
  Card(out, "patterns", Text(ordered_json(errors["patterns"].size())));
  out << "</div>\n";
  Hints(out, errors);
  PatternTable(out, errors);
  RequestErrorTable(out, errors);
  PageEnd(out);
}

void DetailHtmlWriter::Begin(std::string_view title, std::string_view generated_at) {
  PageStart(out_, title, generated_at);
  out_ << "<table><thead><tr>";
  for (const std::string& c : DetailColumns()) out_ << "<th>" << HtmlEscape(c) << "</th>";
  out_ << "</tr></thead><tbody>\n";
}

void DetailHtmlWriter::Row(const DetailRow& row) {
  ++rows_;
  out_ << "<tr>";
  for (const std::string& cell : DetailCells(row)) out_ << "<td>" << HtmlEscape(cell) << "</td>";
  out_ << "</tr>\n";
}

void DetailHtmlWriter::End() {
  out_ << "</tbody></table>\n<p class=\"note\">" << rows_ << " entries.</p>\n";
  PageEnd(out_);
}

}  // namespace cnake::report
