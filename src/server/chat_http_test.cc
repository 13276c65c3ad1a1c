// The reference server's openai protocol end to end: a real server on
// loopback, libcurl as client.
#include <gtest/gtest.h>

#include "server/chat_contract.h"
#include "server/hashing.h"
#include "server/test_support.h"
#include "translate/translator.h"

namespace cnake::server {
namespace {

using nlohmann::json;
using testing::Get;
using testing::HttpReply;
using testing::PostJson;
using testing::TestServer;
using testing::TestServerConfig;

const char kCython[] = "cdef int x = 1\nprint(x)\n";

TestServerConfig OpenAiConfig(json scenario = json::object()) {
  TestServerConfig config;
  config.options.protocol = ServeProtocol::kOpenAi;
  config.options.base_path = "/v1";
  config.options.models = {"cnake-7b", "other"};
  auto parsed = Scenario::FromJson(scenario);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (parsed.ok()) config.scenario = *parsed;
  return config;
}

json ChatBody(const std::string& code = kCython, json extra = json::object()) {
  json body = {{"model", "cnake-7b"},
               {"messages",
                {{{"role", "system"}, {"content", "Translate."}},
                 {{"role", "user"}, {"content", "Please:\n\n```cython\n" + code + "```\n"}}}}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

std::string Content(const HttpReply& r) {
  return r.Json()["choices"][0]["message"]["content"].get<std::string>();
}

TEST(ChatHttpTest, ModelsListsTheServedModels) {
  TestServer s(OpenAiConfig());
  HttpReply r = Get(s.Url("/models"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["object"], "list");
  ASSERT_EQ(r.Json()["data"].size(), 2u);
  EXPECT_EQ(r.Json()["data"][0]["id"], "cnake-7b");
  EXPECT_EQ(r.Json()["data"][0]["object"], "model");
  EXPECT_EQ(Get(s.Url("/health")).status, 404);  // the CnakeCharmer routes are not served
  EXPECT_TRUE(Get(s.Url("/health")).Json().contains("error"));
}

TEST(ChatHttpTest, ACompletionCarriesTheTranslationInAFenceAndItsUsage) {
  TestServer s(OpenAiConfig());
  HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = r.Json();
  const std::string python = translate::TranslateCython(kCython).python;
  EXPECT_EQ(Content(r), "```python\n" + python + "```");
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "cnake-7b");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["usage"]["completion_tokens"], CountTokens(Content(r)));
  EXPECT_GT(body["usage"]["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(body["usage"]["total_tokens"].get<int>(),
            body["usage"]["prompt_tokens"].get<int>() + body["usage"]["completion_tokens"].get<int>());
  EXPECT_EQ(r.Header("x-ratelimit-remaining-requests"), "");  // no budget configured
}

TEST(ChatHttpTest, MaxTokensCutsTheReplyWithFinishReasonLength) {
  TestServer s(OpenAiConfig());
  HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody(kCython, {{"max_tokens", 3}}));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(Content(r).size(), 12u);
  EXPECT_EQ(r.Json()["usage"]["completion_tokens"], 3);
}

TEST(ChatHttpTest, BadRequestsGetOpenAiErrors) {
  TestServer s(OpenAiConfig());
  HttpReply r = testing::Fetch({"POST", s.Url("/chat/completions"), "{not json", {}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["type"], "invalid_request_error");
  r = PostJson(s.Url("/chat/completions"), ChatBody(kCython, {{"stream", true}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["param"], "stream");
  r = PostJson(s.Url("/chat/completions"), ChatBody(kCython, {{"model", "gpt-9"}}));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()["error"]["code"], "model_not_found");
  r = PostJson(s.Url("/chat/completions"), {{"model", "cnake-7b"}, {"messages", json::array()}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["param"], "messages");
}

TEST(ChatHttpTest, BearerAuthOnBothRoutes) {
  TestServerConfig config = OpenAiConfig();
  config.options.api_key = "k1";
  TestServer s(config);
  EXPECT_EQ(Get(s.Url("/models")).status, 401);
  HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["error"]["code"], "invalid_api_key");
  EXPECT_EQ(PostJson(s.Url("/chat/completions"), ChatBody(), {"Authorization: Bearer k1"}).status,
            200);
}

TEST(ChatHttpTest, TheRequestBudgetAnswers429WithResetHeaders) {
  TestServerConfig config = OpenAiConfig();
  config.options.rpm_limit = 2;
  TestServer s(config);
  HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-ratelimit-limit-requests"), "2");
  EXPECT_EQ(r.Header("x-ratelimit-remaining-requests"), "1");
  EXPECT_EQ(r.Header("x-ratelimit-reset-requests"), "30s");
  ASSERT_EQ(PostJson(s.Url("/chat/completions"), ChatBody()).status, 200);
  r = PostJson(s.Url("/chat/completions"), ChatBody());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Json()["error"]["code"], "rate_limit_exceeded");
  EXPECT_EQ(r.Json()["error"]["type"], "requests");
  EXPECT_EQ(r.Header("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(r.Header("x-ratelimit-reset-requests"), "1m0s");
  s.fake_clock.Advance(std::chrono::seconds(30));  // one request back
  EXPECT_EQ(PostJson(s.Url("/chat/completions"), ChatBody()).status, 200);
}

TEST(ChatHttpTest, TheTokenBudgetCountsPromptAndMaxTokens) {
  TestServerConfig config = OpenAiConfig();
  config.options.tpm_limit = 400;
  TestServer s(config);
  HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody(kCython, {{"max_tokens", 300}}));
  ASSERT_EQ(r.status, 200) << r.body;
  // Charged prompt + 300, then the unused part of max_tokens came back.
  const int used = r.Json()["usage"]["total_tokens"];
  EXPECT_EQ(r.Header("x-ratelimit-remaining-tokens"),
            std::to_string(400 - r.Json()["usage"]["prompt_tokens"].get<int>() - 300));
  r = PostJson(s.Url("/chat/completions"), ChatBody(kCython, {{"max_tokens", 400 - used + 1}}));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Json()["error"]["type"], "tokens");
  EXPECT_NE(r.Header("x-ratelimit-reset-tokens"), "");
}

TEST(ChatHttpTest, ReplyFaults) {
  const std::string python = translate::TranslateCython(kCython).python;
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"no_fence", 1.0}}}}}}));
    EXPECT_EQ(Content(PostJson(s.Url("/chat/completions"), ChatBody())), python);
  }
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"prose", 1.0}}}}}}));
    const std::string content = Content(PostJson(s.Url("/chat/completions"), ChatBody()));
    EXPECT_EQ(content.rfind("Here is", 0), 0u) << content;
    EXPECT_NE(content.find("```python\n" + python + "```\n\nThe "), std::string::npos) << content;
  }
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"length", 1.0}}}}}}));
    HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
    EXPECT_EQ(r.Json()["choices"][0]["finish_reason"], "length");
    EXPECT_LT(Content(r).size(), python.size());
  }
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"insufficient_quota", 1.0}}}}}}));
    HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.Json()["error"]["type"], "insufficient_quota");
  }
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"429", 1.0}}}}},
                               {"params", {{"retry_after_s", 3}}}}));
    HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.Json()["error"]["code"], "rate_limit_exceeded");
    EXPECT_EQ(r.Header("x-ratelimit-remaining-requests"), "0");
    EXPECT_EQ(r.Header("x-ratelimit-reset-requests"), "3s");
    EXPECT_NE(r.Header("retry-after"), "");
  }
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"malformed_json", 1.0}}}}}}));
    HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.Json().is_discarded());
  }
  {
    TestServer s(OpenAiConfig({{"endpoints", {{"generate", {{"job_failed", 1.0}}}}}}));
    HttpReply r = PostJson(s.Url("/chat/completions"), ChatBody());
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.Json()["error"]["type"], "server_error");
  }
}

TEST(ChatHttpTest, TheRequestLogRecordsTokensAndTheCode) {
  TestServerConfig config = OpenAiConfig();
  config.request_log_path = testing::TempPath("chat_log.jsonl");
  std::remove(config.request_log_path.c_str());
  {
    TestServer s(config);
    ASSERT_EQ(PostJson(s.Url("/chat/completions"), ChatBody()).status, 200);
    ASSERT_EQ(PostJson(s.Url("/chat/completions"), ChatBody()).status, 200);
    ASSERT_EQ(Get(s.Url("/models")).status, 200);
  }
  auto lines = testing::ReadJsonLines(config.request_log_path);
  ASSERT_EQ(lines.size(), 3u);
  const std::string python = translate::TranslateCython(kCython).python;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(lines[i]["path"], "/v1/chat/completions");
    EXPECT_EQ(lines[i]["source_sha256"], Sha256Hex(kCython));
    EXPECT_EQ(lines[i]["python_sha256"], Sha256Hex(python));
    EXPECT_EQ(lines[i]["model"], "cnake-7b");
    EXPECT_GT(lines[i]["prompt_tokens"].get<int>(), 0);
    EXPECT_EQ(lines[i]["job_created"], true);
    EXPECT_EQ(lines[i]["attempt"], i + 1);  // the same body: the next attempt of its key
  }
  EXPECT_TRUE(lines[2]["prompt_tokens"].is_null());
}

}  // namespace
}  // namespace cnake::server
