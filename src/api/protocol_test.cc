#include "api/protocol.h"

#include <gtest/gtest.h>

#include "api/openai_messages.h"

namespace cnake::api {
namespace {

using nlohmann::json;

SubmitInput Input() {
  SubmitInput in;
  in.batch_id = "b1";
  in.entry_id = "e1";
  in.code = "cdef int x = 1\n";
  in.description = " (a counter)";
  in.tags = R"(["math"])";
  in.submission_seq = 2;
  in.idempotency_key = "key-1";
  return in;
}

std::unique_ptr<Protocol> OpenAi(OpenAiProtocolOptions o = {}) {
  if (o.model.empty()) o.model = "cnake-7b";
  if (o.prompt_template.empty()) o.prompt_template = "Translate {id}.{description}";
  return MakeOpenAiProtocol(std::move(o));
}

std::string Reply(const std::string& content, const std::string& finish = "stop",
                  const json& usage = {{"prompt_tokens", 30}, {"completion_tokens", 12}}) {
  json message = {{"role", "assistant"}, {"content", content}};
  return json{
      {"id", "c1"},
      {"model", "cnake-7b"},
      {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", finish}}})},
      {"usage", usage}}
      .dump();
}

ResultResponse Parsed(const Protocol& p, const std::string& body) {
  auto r = p.ParseSubmit(body);
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return {};
  EXPECT_TRUE(std::holds_alternative<ResultResponse>(*r));
  return std::get<ResultResponse>(*r);
}

TEST(UserMessageTest, TheCodeFollowsInACythonFence) {
  EXPECT_EQ(BuildUserMessage("Translate {id}.{description}", Input()),
            "Translate e1. (a counter)\n\n```cython\ncdef int x = 1\n```\n");
  SubmitInput in = Input();
  in.code = "s = '```'\nt = 1";  // backticks in the code: a longer fence
  EXPECT_EQ(BuildUserMessage("T", in), "T\n\n````cython\ns = '```'\nt = 1\n````\n");
  EXPECT_EQ(BuildUserMessage("Code: {code} tags {tags}", Input()),
            "Code: cdef int x = 1\n tags [\"math\"]");
}

TEST(CnakeCharmerProtocolTest, TheContractAsBefore) {
  auto p = MakeCnakeCharmerProtocol("Translate {id}.");
  EXPECT_STREQ(p->name(), "cnakecharmer");
  EXPECT_TRUE(p->idempotent_submit());
  const Request req = p->BuildSubmit(Input());
  EXPECT_EQ(req.path, "/generate");
  EXPECT_EQ(req.idempotency_key, "key-1");
  EXPECT_FALSE(req.silent_timeout);
  const json body = json::parse(req.body);
  EXPECT_EQ(body["prompt"], "Translate e1.");
  EXPECT_EQ(body["source_code"], "cdef int x = 1\n");
  EXPECT_EQ(body["metadata"], (json{{"source_id", "e1"}, {"batch_id", "b1"}, {"submission", 2}}));
  EXPECT_EQ(p->HealthPath(), "/health");
  EXPECT_EQ(p->StatusPath("a/b"), "/status/a%2Fb");
  EXPECT_TRUE(p->CheckHealth("anything").ok());
  auto accepted = p->ParseSubmit(R"({"request_id": "r1"})");
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(std::get<SubmitAccepted>(*accepted).request_id, "r1");
  scheduler::Outcome o;
  p->Annotate(Response{}, &o);
  EXPECT_FALSE(o.chat);
}

TEST(OpenAiProtocolTest, BuildsOneChatCompletion) {
  OpenAiProtocolOptions o;
  o.system_prompt = "sys";
  o.max_tokens = 900;
  o.generation_timeout = std::chrono::seconds(123);
  auto p = OpenAi(o);
  EXPECT_STREQ(p->name(), "openai");
  EXPECT_FALSE(p->idempotent_submit());
  const Request req = p->BuildSubmit(Input());
  EXPECT_EQ(req.endpoint, Endpoint::kSubmit);
  EXPECT_EQ(req.path, "/chat/completions");
  EXPECT_EQ(req.idempotency_key, "");
  EXPECT_EQ(req.silent_timeout, Duration(std::chrono::seconds(123)));
  const json body = json::parse(req.body);
  EXPECT_EQ(body["model"], "cnake-7b");
  EXPECT_EQ(body["max_tokens"], 900);
  EXPECT_EQ(body["messages"][0]["content"], "sys");
  EXPECT_EQ(body["messages"][1]["content"],
            "Translate e1. (a counter)\n\n```cython\ncdef int x = 1\n```\n");
  EXPECT_FALSE(body.contains("temperature"));
  EXPECT_EQ(p->HealthPath(), "/models");
  EXPECT_EQ(p->MaxCompletionTokens(), 900);
}

TEST(OpenAiProtocolTest, MaxCompletionTokensFromTheExtraBody) {
  OpenAiProtocolOptions o;
  o.extra_body = {{"max_completion_tokens", 4000}};
  EXPECT_EQ(OpenAi(o)->MaxCompletionTokens(), 4000);
  EXPECT_EQ(OpenAi()->MaxCompletionTokens(), 0);
}

TEST(OpenAiProtocolTest, AReplyWithCodeCompletesAndRecordsTheRule) {
  auto p = OpenAi();
  ResultResponse r = Parsed(*p, Reply("Sure.\n```python\nx = 1\n```\nDone."));
  EXPECT_EQ(r.status, JobStatus::kCompleted);
  EXPECT_EQ(r.python, "x = 1\n");
  EXPECT_EQ(r.reply_info["extraction"], "python_fence");
  EXPECT_EQ(r.reply_info["finish_reason"], "stop");
  EXPECT_EQ(r.reply_info["model"], "cnake-7b");
  EXPECT_EQ(r.usage.prompt_tokens, 30);
  EXPECT_EQ(r.usage.completion_tokens, 12);
  r = Parsed(*p, Reply("def f():\n    return 1\n"));
  EXPECT_EQ(r.reply_info["extraction"], "whole_reply");
  r = Parsed(*p, Reply("```\nx = 2\n```", "stop", nullptr));
  EXPECT_EQ(r.reply_info["extraction"], "first_fence");
  EXPECT_FALSE(r.usage.reported());
}

TEST(OpenAiProtocolTest, UnusableRepliesFailWithTheirProblem) {
  auto p = OpenAi();
  ResultResponse r = Parsed(*p, Reply("```python\nx = 1\n", "length"));
  EXPECT_EQ(r.status, JobStatus::kFailed);
  EXPECT_EQ(r.problem, scheduler::ReplyProblem::kTruncated);
  EXPECT_NE(r.error_messages.at(0).find("api.max_tokens"), std::string::npos);
  EXPECT_EQ(r.usage.completion_tokens, 12);  // a failed reply was billed too
  r = Parsed(*p, Reply("I cannot translate this."));
  EXPECT_EQ(r.problem, scheduler::ReplyProblem::kNoCode);
  EXPECT_NE(r.error_messages.at(0).find("I cannot translate this."), std::string::npos);
  r = Parsed(*p, Reply("", "content_filter"));
  EXPECT_EQ(r.problem, scheduler::ReplyProblem::kRefused);
  const json refusal = {
      {"choices", json::array({{{"message", {{"content", nullptr}, {"refusal", "I won't."}}},
                                {"finish_reason", "stop"}}})}};
  r = Parsed(*p, refusal.dump());
  EXPECT_EQ(r.problem, scheduler::ReplyProblem::kRefused);
  EXPECT_NE(r.error_messages.at(0).find("I won't."), std::string::npos);
  EXPECT_FALSE(p->ParseSubmit("{\"choices\": [").ok());
  // A provider error mid-generation (OpenRouter) is a damaged answer, retried.
  auto failed_upstream = p->ParseSubmit(Reply("", "error"));
  ASSERT_FALSE(failed_upstream.ok());
  EXPECT_EQ(failed_upstream.status().code(), StatusCode::kParse);
}

TEST(OpenAiProtocolTest, TheHealthCheckWantsTheModelListed) {
  auto p = OpenAi();
  EXPECT_TRUE(p->CheckHealth(R"({"object": "list", "data": [{"id": "cnake-7b"}]})").ok());
  Status missing = p->CheckHealth(R"({"data": [{"id": "a"}, {"id": "b"}]})");
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("\"cnake-7b\""), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("lists: a, b"), std::string::npos) << missing.message();
  json many = {{"data", json::array()}};
  for (int i = 0; i < 40; ++i) many["data"].push_back({{"id", "m" + std::to_string(i)}});
  missing = p->CheckHealth(many.dump());
  EXPECT_NE(missing.message().find("(40 in all)"), std::string::npos) << missing.message();
  EXPECT_EQ(p->CheckHealth("<html>").code(), StatusCode::kParse);
}

TEST(OpenAiProtocolTest, AnnotatesChatOutcomesAndQuotaErrors) {
  auto p = OpenAi();
  Response r;
  r.http_status = 429;
  r.body = R"({"error": {"message": "quota", "type": "insufficient_quota"}})";
  scheduler::Outcome o;
  p->Annotate(r, &o);
  EXPECT_TRUE(o.chat);
  EXPECT_TRUE(o.quota_exhausted);
  r.body =
      R"({"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}})";
  o = {};
  p->Annotate(r, &o);
  EXPECT_FALSE(o.quota_exhausted);
}

TEST(ProtocolFromConfigTest, PicksAndConfigures) {
  Config c;
  auto p = ProtocolFromConfig(c);
  ASSERT_TRUE(p.ok());
  EXPECT_STREQ((*p)->name(), "cnakecharmer");
  c.api.protocol = "openai";
  c.api.model = "m";
  c.api.temperature = 0.2;
  c.api.extra_body = R"({"top_p": 0.5})";
  p = ProtocolFromConfig(c);
  ASSERT_TRUE(p.ok());
  const json body = json::parse((*p)->BuildSubmit(Input()).body);
  EXPECT_EQ(body["temperature"], 0.2);
  EXPECT_EQ(body["top_p"], 0.5);
  EXPECT_EQ(body["messages"][0]["content"], ApiConfig::kDefaultSystemPrompt);
  c.api.extra_body = "[1]";
  EXPECT_FALSE(ProtocolFromConfig(c).ok());
}

}  // namespace
}  // namespace cnake::api
