#include "server/contract.h"

#include <gtest/gtest.h>

namespace cnake::server {
namespace {

using nlohmann::json;

json Valid() {
  return {{"prompt", "p"}, {"target_languages", {"python"}}, {"source_code", "x = 1"}};
}

// Runs validation and returns the 422 detail list (empty when valid).
json Errors(const std::string& body) {
  GenerateRequest request;
  json detail = json::array();
  if (ParseGenerateRequest(body, &request, &detail)) return json::array();
  return detail;
}
json Errors(const json& body) { return Errors(body.dump()); }

TEST(ContractTest, ValidRequestGetsDefaults) {
  GenerateRequest r;
  json detail;
  ASSERT_TRUE(ParseGenerateRequest(Valid().dump(), &r, &detail));
  EXPECT_EQ(r.prompt, "p");
  EXPECT_EQ(r.source_code, "x = 1");
  EXPECT_TRUE(r.equivalency_check);
  EXPECT_EQ(r.optimization_level, 1);
  EXPECT_EQ(r.max_attempts, 3);
  EXPECT_FALSE(r.analysis_types.has_value());
  EXPECT_EQ(r.canonical_hash.size(), 64u);
}

TEST(ContractTest, UnknownFieldsAreIgnored) {
  json body = Valid();
  body["temperature"] = 0.7;
  EXPECT_TRUE(Errors(body).empty());
}

TEST(ContractTest, CanonicalHashIgnoresKeyOrderAndWhitespace) {
  GenerateRequest a, b;
  json detail;
  ASSERT_TRUE(ParseGenerateRequest(R"({"prompt":"p","target_languages":["python"]})", &a, &detail));
  ASSERT_TRUE(
      ParseGenerateRequest(R"({ "target_languages" : ["python"], "prompt" : "p" })", &b, &detail));
  EXPECT_EQ(a.canonical_hash, b.canonical_hash);
}

TEST(ContractTest, MissingRequiredFieldsAreListedWithLocMsgType) {
  const json detail = Errors(json::object());
  ASSERT_EQ(detail.size(), 2u);
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "prompt"}));
  EXPECT_EQ(detail[0]["type"], "missing");
  EXPECT_EQ(detail[0]["msg"], "Field required");
  EXPECT_EQ(detail[1]["loc"], json::array({"body", "target_languages"}));
}

TEST(ContractTest, WrongTypesAreReported) {
  json body = Valid();
  body["prompt"] = 5;
  body["target_languages"] = {"python", 3};
  body["equivalency_check"] = "yes";
  body["metadata"] = "m";
  const json detail = Errors(body);
  ASSERT_EQ(detail.size(), 4u);
  EXPECT_EQ(detail[0]["type"], "string_type");
  EXPECT_EQ(detail[1]["loc"], json::array({"body", "target_languages", 1}));
  EXPECT_EQ(detail[2]["type"], "bool_type");
  EXPECT_EQ(detail[3]["type"], "dict_type");
}

TEST(ContractTest, OptimizationLevelOutOfRange) {
  json body = Valid();
  body["optimization_level"] = 4;
  json detail = Errors(body);
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0]["type"], "less_than_equal");
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "optimization_level"}));
  EXPECT_EQ(detail[0]["ctx"]["le"], 3);
  body["optimization_level"] = -1;
  EXPECT_EQ(Errors(body)[0]["type"], "greater_than_equal");
  body["optimization_level"] = 2.5;
  EXPECT_EQ(Errors(body)[0]["type"], "int_type");
  body["optimization_level"] = 2.0;
  EXPECT_TRUE(Errors(body).empty());
}

TEST(ContractTest, UnsupportedLanguagesAndEmptyListAreRejected) {
  json body = Valid();
  body["target_languages"] = {"rust"};
  EXPECT_EQ(Errors(body)[0]["type"], "literal_error");
  body["target_languages"] = json::array();
  EXPECT_EQ(Errors(body)[0]["type"], "too_short");
  body = Valid();
  body["source_language"] = "c";
  EXPECT_EQ(Errors(body)[0]["loc"], json::array({"body", "source_language"}));
}

TEST(ContractTest, InvalidJsonAndNonObjectBodies) {
  EXPECT_EQ(Errors(std::string("{not json"))[0]["type"], "json_invalid");
  EXPECT_EQ(Errors(std::string("[1,2]"))[0]["type"], "model_attributes_type");
}

TEST(ContractTest, ResultsShapeDependsOnState) {
  JobSnapshot job;
  job.request_id = "r1";
  job.state = JobState::kProcessing;
  auto output = std::make_shared<JobOutput>();
  output->python = "x = 1\n";
  output->analysis_results = {{"untranslated_count", 0}};
  job.output = output;
  json pending = ResultsJson(job);
  EXPECT_EQ(pending["status"], "processing");
  EXPECT_TRUE(pending["generated_code"].is_null());
  EXPECT_TRUE(pending.contains("error_messages"));

  job.state = JobState::kCompleted;
  json done = ResultsJson(job);
  EXPECT_EQ(done["generated_code"]["python"], "x = 1\n");
  EXPECT_EQ(done["analysis_results"]["untranslated_count"], 0);

  job.state = JobState::kFailed;
  json failed = ResultsJson(job);
  EXPECT_TRUE(failed["generated_code"].is_null());
  EXPECT_FALSE(failed["error_messages"].empty());
}

}  // namespace
}  // namespace cnake::server
