#include "api/api_messages.h"

#include <cmath>
#include <exception>
#include <utility>

#include "api/openai_messages.h"
#include "util/json_depth.h"

namespace cnake::api {
namespace {

using nlohmann::json;

Status ParseError(std::string message) { return {StatusCode::kParse, std::move(message)}; }

JobStatus JobStatusFromString(std::string_view s) {
  if (s == "pending") return JobStatus::kPending;
  if (s == "processing") return JobStatus::kProcessing;
  if (s == "completed") return JobStatus::kCompleted;
  if (s == "failed") return JobStatus::kFailed;
  return JobStatus::kUnknown;
}

Result<json> ParseObject(std::string_view body) {
  CNAKE_ASSIGN_OR_RETURN(json doc, ParseJsonLimited(body));
  if (!doc.is_object())
    return ParseError(std::string("expected a JSON object, got ") + doc.type_name());
  return doc;
}

// A finite number member, or nullopt when absent, null, non-numeric or not finite.
std::optional<double> OptionalNumber(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_number()) return std::nullopt;
  const double value = it->get<double>();
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

Result<std::pair<JobStatus, std::string>> RequiredStatus(const json& doc) {
  auto it = doc.find("status");
  if (it == doc.end()) return ParseError("missing \"status\"");
  if (!it->is_string())
    return ParseError(std::string("\"status\" is a ") + it->type_name() + ", not a string");
  std::string raw = it->get<std::string>();
  return std::make_pair(JobStatusFromString(raw), std::move(raw));
}

json MemberOrNull(const json& doc, const char* name) {
  auto it = doc.find(name);
  return it == doc.end() ? json() : *it;
}

// Moves the member out of `doc` (the document is parsed for this answer alone).
json TakeMemberOrNull(json& doc, const char* name) {
  auto it = doc.find(name);
  return it == doc.end() ? json() : std::move(*it);
}

Result<ResultResponse> ResultFromObject(json& doc) {
  ResultResponse out;
  CNAKE_ASSIGN_OR_RETURN(auto status, RequiredStatus(doc));
  out.status = status.first;
  out.raw_status = std::move(status.second);

  auto code = doc.find("generated_code");
  if (code != doc.end() && !code->is_null()) {
    if (!code->is_object()) {
      return ParseError(std::string("\"generated_code\" is a ") + code->type_name() +
                        ", not an object");
    }
    auto python = code->find("python");
    if (python != code->end() && !python->is_null()) {
      if (!python->is_string()) {
        return ParseError(std::string("\"generated_code.python\" is a ") + python->type_name() +
                          ", not a string");
      }
      out.python = std::move(python->get_ref<std::string&>());
    }
  }
  out.build_results = TakeMemberOrNull(doc, "build_results");
  out.analysis_results = TakeMemberOrNull(doc, "analysis_results");
  out.equivalency_result = TakeMemberOrNull(doc, "equivalency_result");
  auto errors = doc.find("error_messages");
  if (errors != doc.end() && errors->is_array()) {
    for (json& e : *errors) {
      if (e.is_string()) out.error_messages.push_back(std::move(e.get_ref<std::string&>()));
    }
  }
  return out;
}

// Cuts `s` to at most `max` bytes on a UTF-8 character boundary, appending "...".
std::string Truncate(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += "...";
  return s;
}

// Control characters (including NUL, CR, LF) become spaces: the result goes
// into one-line log messages and error tables.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

// Replaces invalid UTF-8 with U+FFFD (the text may be stored in DuckDB, which
// rejects invalid UTF-8), letting nlohmann do the decoding.
std::string SanitizeUtf8(std::string_view s) {
  try {
    const std::string quoted =
        json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    return json::parse(quoted).get<std::string>();
  } catch (const std::exception&) {
    return std::string();
  }
}

std::string LocToString(const json& loc) {
  if (!loc.is_array()) return loc.is_string() ? loc.get<std::string>() : std::string();
  std::string out;
  for (const json& part : loc) {
    if (!out.empty()) out += '.';
    out += part.is_string() ? part.get<std::string>()
                            : part.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out;
}

std::string DetailListToString(const json& list) {
  std::string out;
  for (const json& item : list) {
    if (!out.empty()) out += "; ";
    if (!item.is_object()) {
      out += item.is_string() ? item.get<std::string>()
                              : item.dump(-1, ' ', false, json::error_handler_t::replace);
      continue;
    }
    const std::string loc = LocToString(MemberOrNull(item, "loc"));
    const json msg = MemberOrNull(item, "msg");
    if (!loc.empty()) out += loc + ": ";
    out += msg.is_string() ? msg.get<std::string>() : std::string("invalid");
    if (out.size() > kMaxDetailLength) break;  // the rest would be cut anyway
  }
  return out;
}

}  // namespace

const char* JobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::kPending:
      return "pending";
    case JobStatus::kProcessing:
      return "processing";
    case JobStatus::kCompleted:
      return "completed";
    case JobStatus::kFailed:
      return "failed";
    case JobStatus::kUnknown:
      break;
  }
  return "unknown";
}

Result<json> ParseJsonLimited(std::string_view text, int max_depth) {
  // A scan of the brackets first, then nlohmann's plain parser: a parser
  // callback would run a std::function on every token of every answer.
  if (JsonNestingDepth(text, max_depth) > max_depth) {
    return ParseError("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // nlohmann's message ends with the last token read, which is body text:
    // possibly huge, binary or invalid UTF-8. Keep it short and printable.
    return ParseError(Truncate(OneLine(SanitizeUtf8(e.what())), kMaxDetailLength));
  } catch (const std::exception& e) {  // std::bad_alloc on a huge document
    return ParseError(std::string("JSON parse failed: ") + e.what());
  }
}

std::string BuildGenerateBody(const GenerateInput& input) {
  json metadata = input.extra_metadata.is_object() ? input.extra_metadata : json::object();
  metadata["source_id"] = input.source_id;
  metadata["batch_id"] = input.batch_id;
  const json body = {
      {"prompt", input.prompt},      {"target_languages", json::array({"python"})},
      {"source_language", "cython"}, {"source_code", input.source_code},
      {"equivalency_check", true},   {"optimization_level", 1},
      {"max_attempts", 3},           {"metadata", std::move(metadata)},
  };
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<SubmitResponse> ParseSubmitResponse(std::string_view body) {
  CNAKE_ASSIGN_OR_RETURN(json doc, ParseObject(body));
  auto status = doc.find("status");
  if (status != doc.end() && status->is_string()) {
    const JobStatus s = JobStatusFromString(status->get<std::string>());
    if (s == JobStatus::kCompleted || s == JobStatus::kFailed) {
      CNAKE_ASSIGN_OR_RETURN(ResultResponse result, ResultFromObject(doc));
      return SubmitResponse(std::move(result));
    }
  }
  auto id = doc.find("request_id");
  if (id == doc.end()) return ParseError("missing \"request_id\"");
  if (!id->is_string()) {
    return ParseError(std::string("\"request_id\" is a ") + id->type_name() + ", not a string");
  }
  SubmitAccepted accepted{id->get<std::string>(), OptionalNumber(doc, "eta")};
  if (accepted.eta_seconds && *accepted.eta_seconds < 0) accepted.eta_seconds.reset();
  return SubmitResponse(std::move(accepted));
}

Result<StatusResponse> ParseStatusResponse(std::string_view body) {
  CNAKE_ASSIGN_OR_RETURN(json doc, ParseObject(body));
  StatusResponse out;
  CNAKE_ASSIGN_OR_RETURN(auto status, RequiredStatus(doc));
  out.status = status.first;
  out.raw_status = std::move(status.second);
  out.progress = OptionalNumber(doc, "progress");
  out.eta_seconds = OptionalNumber(doc, "eta");
  if (out.eta_seconds && *out.eta_seconds < 0) out.eta_seconds.reset();
  return out;
}

Result<ResultResponse> ParseResultResponse(std::string_view body) {
  CNAKE_ASSIGN_OR_RETURN(json doc, ParseObject(body));
  return ResultFromObject(doc);
}

std::string ParseErrorDetail(std::string_view body) {
  std::string text;
  auto doc = ParseJsonLimited(body);
  if (doc.ok() && doc->is_object() && doc->contains("detail")) {
    const json& detail = (*doc)["detail"];
    if (detail.is_string()) {
      text = detail.get<std::string>();
    } else if (detail.is_array()) {
      text = DetailListToString(detail);
    } else {
      text = detail.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  } else if (auto error = ParseApiError(body)) {
    // OpenAI-compatible servers: {"error": {"message", "type", "code"}}.
    text = error->message.empty() ? "error" : error->message;
    std::string kind = error->code.empty() ? error->type : error->code;
    if (!kind.empty() && kind != text) text += " (" + kind + ")";
  } else {
    text = SanitizeUtf8(body.substr(0, kMaxDetailLength + 4));
  }
  return Truncate(OneLine(text), kMaxDetailLength);
}

}  // namespace cnake::api
