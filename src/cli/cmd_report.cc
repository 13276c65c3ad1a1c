#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <ostream>

#include "cli/commands.h"
#include "report/report_writer.h"
#include "report/token_figures.h"

namespace cnake::cli {
namespace {

struct ReportFlags {
  std::string batch_id;
  std::string type = "summary";
  std::string format;
  std::string output;
};

// Writes to a temporary file beside `path` and renames it into place, so a
// failed or interrupted report never leaves a truncated file behind.
Status WriteToFile(const std::string& path, const std::function<Status(std::ostream&)>& write) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write " + path);
    Status st = write(out);
    out.flush();
    if (st.ok() && !out) st = IoError("writing " + path + " failed");
    if (!st.ok()) {
      out.close();
      std::remove(tmp.c_str());
      return st;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IoError("cannot write " + path);
  }
  return Status::Ok();
}

int RunReport(Context& ctx, const ReportFlags& flags) {
  auto type = report::ParseReportType(flags.type);
  if (!type.ok()) return Fail(ctx, type.status());
  report::ReportFormat format = report::ReportFormat::kJson;
  if (!flags.format.empty()) {
    auto parsed = report::ParseReportFormat(flags.format);
    if (!parsed.ok()) return Fail(ctx, parsed.status());
    format = *parsed;
  } else if (auto implied = report::FormatFromPath(flags.output)) {
    format = *implied;
  }
  auto store = OpenStore(ctx, /*read_only=*/true);
  if (!store.ok()) {
    if (store.status().code() == StatusCode::kLocked) {
      *ctx.err << "note: reports read the database, which a running batch holds; use `status "
                  "--batch-id <id>` meanwhile and report when it finishes\n";
    }
    return Fail(ctx, store.status());
  }
  report::ReportRequest request;
  if (!flags.batch_id.empty()) request.scope.batch_id = flags.batch_id;
  request.type = *type;
  request.format = format;
  request.generated_at = report::IsoNowUtc();
  request.prices = {ctx.config().api.price_per_million_input_tokens,
                    ctx.config().api.price_per_million_output_tokens};
  auto write = [&](std::ostream& out) {
    return report::WriteReport((*store)->queries(), request, out);
  };
  Status st = flags.output.empty() || flags.output == "-" ? write(*ctx.out)
                                                          : WriteToFile(flags.output, write);
  if (!st.ok()) return Fail(ctx, st);
  if (!flags.output.empty() && flags.output != "-" && !ctx.quiet) {
    *ctx.err << "wrote " << report::ReportTypeName(*type) << " report ("
             << report::ReportFormatName(format) << ") to " << flags.output << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand(
      "report", "Summary, per-entry or error-pattern reports as JSON, Markdown, HTML or CSV");
  auto flags = std::make_shared<ReportFlags>();
  cmd->add_option("--batch-id", flags->batch_id, "The batch (default: every batch)");
  cmd->add_option("--type", flags->type, "summary (default), detailed or errors (or error)")
      ->check(CLI::IsMember(report::ReportTypeNames()));
  cmd->add_option("--format", flags->format,
                  "json (default), md, html or csv; implied by the --output extension")
      ->check(CLI::IsMember(report::ReportFormatNames()));
  cmd->add_option("-o,--output", flags->output, "Write to this file instead of stdout");
  cmd->footer(
      "Field names and JSON Schemas: docs/reports.md. The detailed report streams, so it works\n"
      "on batches of any size. HTML is one self-contained file (inline SVG charts).\n\n"
      "Examples:\n"
      "  cnake-charmer-client report --batch-id b-20261128-101500-3fa2\n"
      "  cnake-charmer-client report --type errors --format md\n"
      "  cnake-charmer-client report --batch-id b-20261128-101500-3fa2 -o report.html\n"
      "  cnake-charmer-client report --type detailed --format csv -o entries.csv");
  cmd->callback([&run, flags] { run = [flags](Context& ctx) { return RunReport(ctx, *flags); }; });
}

}  // namespace cnake::cli
