// Markdown (markdown_writer.h): the summary's key figures and tables, the
// hints and error patterns, and the detailed report as one streamed table.
#include <fmt/format.h>

#include "report/markdown_writer.h"
#include "report/renderer.h"

namespace cnake::report {
namespace {

template <typename T>
std::string Int(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "";
}
std::string Fixed(const std::optional<double>& v, int precision) {
  return v ? fmt::format("{:.{}f}", *v, precision) : "";
}
std::string Ms(const std::optional<double>& v) { return v ? FormatMs(*v) : ""; }

class MarkdownRenderer final : public Renderer {
 public:
  explicit MarkdownRenderer(std::ostream& out) : out_(out), md_(out) {}

  bool SummaryShowsErrors() const override { return true; }

  void Summary(const SummaryDoc& s, const ErrorsDoc* errors) override {
    md_.Heading(1, ReportTitle("summary", s.header));
    md_.Paragraph("Generated " + s.header.generated_at + ".");
    KeyFigures(s);
    md_.Heading(2, "Entries by state");
    md_.TableHeader({"state", "entries"}, {false, true});
    for (EntryState state : kAllEntryStates) {
      md_.TableRow({std::string(EntryStateName(state)), std::to_string(s.entries.Of(state))});
    }
    for (const auto& [text, n] : s.entries.unknown_states) md_.TableRow({text, std::to_string(n)});
    md_.EndTable();
    Histogram(s);
    md_.Heading(2, "Attempts per finished entry");
    md_.TableHeader({"attempts", "entries"}, {true, true});
    for (const AttemptsRow& r : s.attempts.distribution) {
      md_.TableRow({std::to_string(r.attempts), std::to_string(r.entries)});
    }
    md_.EndTable();
    Batches(s);
    if (errors) {
      Hints(*errors);
      Patterns(*errors);
    }
  }

  void Errors(const ErrorsDoc& errors) override {
    md_.Heading(1, ReportTitle("errors", errors.header));
    md_.Paragraph(fmt::format("Generated {}; {} failures in {} patterns.",
                              errors.header.generated_at, errors.failures, errors.patterns.size()));
    Hints(errors);
    Patterns(errors);
  }

  void DetailBegin(const ReportHeader& header) override {
    md_.Heading(1, ReportTitle("detailed", header));
    md_.Paragraph("Generated " + header.generated_at + ".");
    md_.TableHeader(DetailColumns());
  }
  void DetailEntry(const DetailRow& row) override { md_.TableRow(DetailCells(row)); }
  void DetailEnd(std::int64_t) override { md_.EndTable(); }

 private:
  void KeyFigures(const SummaryDoc& s) {
    const Performance& perf = s.performance;
    const LatencyRow& lat = perf.latency;
    md_.TableHeader({"figure", "value"}, {false, true});
    md_.TableRow({"entries", std::to_string(s.entries.total())});
    md_.TableRow({"finished", std::to_string(perf.finished)});
    const auto rate = s.success_rate();
    md_.TableRow({"success rate", rate ? fmt::format("{:.1f}%", 100 * *rate) : ""});
    md_.TableRow({"wall time (s)", fmt::format("{:.1f}", perf.wall_time_seconds)});
    md_.TableRow({"throughput (entries/s)",
                  perf.entries_per_second ? FormatRate(*perf.entries_per_second) : ""});
    md_.TableRow({"API requests", std::to_string(s.requests.total)});
    if (auto per_entry = s.requests_per_entry()) {
      md_.TableRow({"requests per entry", fmt::format("{:.2f}", *per_entry)});
    }
    md_.TableRow({"failed requests", std::to_string(s.requests.failed)});
    md_.TableRow({"429 responses", std::to_string(s.requests.http_429)});
    md_.TableRow({"latency p50 (ms)", Ms(lat.p50_ms)});
    md_.TableRow({"latency p90 (ms)", Ms(lat.p90_ms)});
    md_.TableRow({"latency p99 (ms)", Ms(lat.p99_ms)});
    md_.TableRow({"latency mean (ms)", Ms(lat.mean_ms)});
    md_.TableRow({"latency max (ms)", Ms(lat.max_ms)});
    md_.TableRow({"mean attempts", Fixed(s.attempts.mean, 2)});
    const auto wait = [](const std::optional<double>& v) {
      return v ? fmt::format("{:.1f}", *v) : std::string("not recorded");
    };
    md_.TableRow({"paused on Retry-After (s)", wait(s.waits.rate_limit_seconds)});
    md_.TableRow({"circuit breaker open (s)", wait(s.waits.circuit_breaker_open_seconds)});
    if (s.tokens) TokenRows(*s.tokens);
    md_.EndTable();
  }

  // The chat protocol's reported tokens (token_figures.h), in the key figures.
  void TokenRows(const SummaryDoc::Tokens& tokens) {
    const nlohmann::json t = TokensJson(tokens.totals, tokens.prices);
    md_.TableRow({"prompt tokens", std::to_string(tokens.totals.prompt_tokens)});
    md_.TableRow({"completion tokens", std::to_string(tokens.totals.completion_tokens)});
    md_.TableRow({"tokens per entry", fmt::format("{:.0f}", t["per_entry"].get<double>())});
    if (t["cost"].is_number()) {
      md_.TableRow({"cost", fmt::format("{:.4f}", t["cost"].get<double>())});
    }
    if (tokens.totals.interrupted > 0) {
      md_.TableRow({"interrupted attempts", std::to_string(tokens.totals.interrupted)});
    }
  }

  void Histogram(const SummaryDoc& s) {
    const std::vector<double>& bounds = LatencyBoundsMs();
    const std::vector<std::int64_t>& counts = s.performance.latency.histogram;
    md_.Heading(2, "Latency histogram (ms)");
    md_.TableHeader({"at most", "requests"}, {true, true});
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      md_.TableRow({i < bounds.size() ? fmt::format("{:g}", bounds[i]) : "+Inf",
                    std::to_string(i < counts.size() ? counts[i] : 0)});
    }
    md_.EndTable();
  }

  void Batches(const SummaryDoc& s) {
    md_.Heading(2, "Batches");
    md_.TableHeader(
        {"batch", "status", "stop reason", "started", "finished at", "wall time (s)", "entries"},
        {false, false, false, false, false, true, true});
    for (const ReportBatchRow& b : s.batches) {
      md_.TableRow({b.id, b.status_text.value_or(""), b.stop_reason.value_or(""),
                    b.started_at.value_or(""), b.completed_at.value_or(""),
                    fmt::format("{:.1f}", b.wall_time_seconds), std::to_string(b.total_entries)});
    }
    md_.EndTable();
  }

  void Hints(const ErrorsDoc& errors) {
    if (errors.hints.empty()) return;
    md_.Heading(2, "Hints");
    for (const std::string& h : errors.hints) out_ << "- " << MarkdownEscape(h) << "\n";
    out_ << "\n";
  }

  void Patterns(const ErrorsDoc& errors) {
    md_.Heading(2, "Error patterns");
    if (errors.patterns.empty()) {
      md_.Paragraph("No entry failed.");
      return;
    }
    md_.TableHeader(
        {"count", "error type", "HTTP", "pattern", "first seen", "last seen", "examples"},
        {true, false, true, false, false, false, false});
    for (const ErrorPattern& p : errors.patterns) {
      std::string examples;
      for (const std::string& e : p.examples) examples += (examples.empty() ? "" : ", ") + e;
      md_.TableRow({std::to_string(p.count), p.error_type, Int(p.http_status), p.pattern,
                    p.first_seen, p.last_seen, examples});
    }
    md_.EndTable();
    if (errors.request_errors.empty()) return;
    md_.Heading(2, "Failed requests (including retried ones)");
    md_.TableHeader({"count", "endpoint", "error type", "HTTP", "first seen", "last seen"},
                    {true, false, false, true, false, false});
    for (const RequestErrorRow& r : errors.request_errors) {
      md_.TableRow({std::to_string(r.count), r.endpoint, r.error_type, Int(r.http_status),
                    r.first_seen.value_or(""), r.last_seen.value_or("")});
    }
    md_.EndTable();
  }

  std::ostream& out_;
  MarkdownWriter md_;
};

}  // namespace

std::unique_ptr<Renderer> MakeMarkdownRenderer(std::ostream& out) {
  return std::make_unique<MarkdownRenderer>(out);
}

}  // namespace cnake::report
