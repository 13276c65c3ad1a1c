#include "server/contract.h"

#include <cmath>

#include "server/hashing.h"

namespace cnake::server {
namespace {

using nlohmann::json;

class Errors {
 public:
  void Add(json loc, std::string type, std::string msg, const json* input, json ctx = nullptr) {
    json e = {{"type", std::move(type)}, {"loc", std::move(loc)}, {"msg", std::move(msg)}};
    if (input != nullptr) e["input"] = *input;
    if (!ctx.is_null()) e["ctx"] = std::move(ctx);
    list_.push_back(std::move(e));
  }
  bool empty() const { return list_.empty(); }
  json take() { return std::move(list_); }

 private:
  json list_ = json::array();
};

json Loc(const char* field) { return json::array({"body", field}); }

bool ReadString(const json& body, const char* field, Errors* errors, std::string* out) {
  const json& v = body[field];
  if (!v.is_string()) {
    errors->Add(Loc(field), "string_type", "Input should be a valid string", &v);
    return false;
  }
  *out = v.get<std::string>();
  return true;
}

void ReadBool(const json& body, const char* field, Errors* errors, bool* out) {
  const json& v = body[field];
  if (v.is_boolean()) {
    *out = v.get<bool>();
  } else if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
    *out = v.get<int64_t>() == 1;  // pydantic's lax mode accepts 0/1
  } else {
    errors->Add(Loc(field), "bool_type", "Input should be a valid boolean", &v);
  }
}

void ReadInt(const json& body, const char* field, int64_t lo, int64_t hi, Errors* errors,
             int* out) {
  const json& v = body[field];
  int64_t n = 0;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX) {
      n = INT64_MAX;
    } else {
      n = v.get<int64_t>();
    }
  } else if (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>() &&
             std::fabs(v.get<double>()) < 9e15) {
    n = static_cast<int64_t>(v.get<double>());
  } else {
    errors->Add(Loc(field), "int_type", "Input should be a valid integer", &v);
    return;
  }
  if (n < lo) {
    errors->Add(Loc(field), "greater_than_equal",
                "Input should be greater than or equal to " + std::to_string(lo), &v, {{"ge", lo}});
  } else if (n > hi) {
    errors->Add(Loc(field), "less_than_equal",
                "Input should be less than or equal to " + std::to_string(hi), &v, {{"le", hi}});
  } else {
    *out = static_cast<int>(n);
  }
}

// A list of strings; each non-string item is reported at its index.
bool ReadStringList(const json& body, const char* field, Errors* errors,
                    std::vector<std::string>* out) {
  const json& v = body[field];
  if (!v.is_array()) {
    errors->Add(Loc(field), "list_type", "Input should be a valid list", &v);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      errors->Add(json::array({"body", field, i}), "string_type", "Input should be a valid string",
                  &v[i]);
      ok = false;
    } else {
      out->push_back(v[i].get<std::string>());
    }
  }
  return ok;
}

void ValidateFields(const json& body, GenerateRequest* out, Errors* errors) {
  auto missing = [&](const char* field) {
    errors->Add(Loc(field), "missing", "Field required", &body);
  };

  if (!body.contains("prompt")) {
    missing("prompt");
  } else {
    ReadString(body, "prompt", errors, &out->prompt);
  }

  if (!body.contains("target_languages")) {
    missing("target_languages");
  } else if (ReadStringList(body, "target_languages", errors, &out->target_languages)) {
    if (out->target_languages.empty()) {
      errors->Add(Loc("target_languages"), "too_short",
                  "List should have at least 1 item after validation, not 0",
                  &body["target_languages"],
                  {{"field_type", "List"}, {"min_length", 1}, {"actual_length", 0}});
    }
    for (size_t i = 0; i < out->target_languages.size(); ++i) {
      if (out->target_languages[i] != "python") {
        errors->Add(json::array({"body", "target_languages", i}), "literal_error",
                    "Input should be 'python'", &body["target_languages"][i],
                    {{"expected", "'python'"}});
      }
    }
  }

  if (body.contains("source_language") && !body["source_language"].is_null() &&
      ReadString(body, "source_language", errors, &out->source_language) &&
      out->source_language != "cython") {
    errors->Add(Loc("source_language"), "literal_error", "Input should be 'cython'",
                &body["source_language"], {{"expected", "'cython'"}});
  }
  if (body.contains("source_code") && !body["source_code"].is_null()) {
    out->has_source_code = ReadString(body, "source_code", errors, &out->source_code);
  }
  if (body.contains("equivalency_check")) {
    ReadBool(body, "equivalency_check", errors, &out->equivalency_check);
  }
  if (body.contains("optimization_level")) {
    ReadInt(body, "optimization_level", 0, 3, errors, &out->optimization_level);
  }
  if (body.contains("analysis_types") && !body["analysis_types"].is_null()) {
    std::vector<std::string> types;
    if (ReadStringList(body, "analysis_types", errors, &types)) out->analysis_types = types;
  }
  if (body.contains("max_attempts")) {
    ReadInt(body, "max_attempts", 1, 100, errors, &out->max_attempts);
  }
  if (body.contains("metadata") && !body["metadata"].is_null()) {
    if (!body["metadata"].is_object()) {
      errors->Add(Loc("metadata"), "dict_type", "Input should be a valid dictionary",
                  &body["metadata"]);
    } else {
      out->metadata = body["metadata"];
    }
  }
}

}  // namespace

bool ParseGenerateRequest(std::string_view text, GenerateRequest* out, json* detail) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  Errors errors;
  if (body.is_discarded()) {
    // FastAPI reports the byte offset of the JSON error; nlohmann's non-throwing
    // parse does not expose it, so the location is the body as a whole.
    errors.Add(json::array({"body", 0}), "json_invalid", "JSON decode error", nullptr,
               {{"error", "Expecting value"}});
    *detail = errors.take();
    return false;
  }
  if (!body.is_object()) {
    errors.Add(json::array({"body"}), "model_attributes_type",
               "Input should be a valid dictionary or object to extract fields from", &body);
    *detail = errors.take();
    return false;
  }
  out->canonical_hash = Sha256Hex(Dump(body));
  ValidateFields(body, out, &errors);
  if (errors.empty()) return true;
  *detail = errors.take();
  return false;
}

json ValidationError(json loc, std::string msg, std::string type) {
  return {{"detail",
           json::array(
               {{{"type", std::move(type)}, {"loc", std::move(loc)}, {"msg", std::move(msg)}}})}};
}

json DetailJson(std::string_view detail) { return {{"detail", detail}}; }

json NotFoundJson(std::string_view request_id) {
  return DetailJson("Request " + std::string(request_id) + " not found");
}

json AcceptedJson(std::string_view request_id) { return {{"request_id", request_id}}; }

json StatusJson(const JobSnapshot& job) {
  json j = {{"request_id", job.request_id}, {"status", JobStateName(job.state)}};
  j["progress"] = job.progress ? json(*job.progress) : json();
  j["eta"] = job.eta_seconds ? json(*job.eta_seconds) : json();
  return j;
}

json ResultsJson(const JobSnapshot& job) {
  json j = {{"request_id", job.request_id}, {"status", JobStateName(job.state)}};
  j["generated_code"] = nullptr;
  j["build_results"] = nullptr;
  j["analysis_results"] = nullptr;
  j["equivalency_result"] = nullptr;
  j["error_messages"] = nullptr;
  if (job.state == JobState::kCompleted && job.output) {
    j["generated_code"] = {{"python", job.output->python}};
    j["analysis_results"] = job.output->analysis_results;
    j["error_messages"] = json::array();
  } else if (job.state == JobState::kFailed) {
    j["error_messages"] = job.output ? json(job.output->error_messages) : json::array();
    if (j["error_messages"].empty()) j["error_messages"].push_back("generation failed");
  }
  return j;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace cnake::server
