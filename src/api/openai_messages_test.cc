#include "api/openai_messages.h"

#include <gtest/gtest.h>

#include "api/api_messages.h"

namespace cnake::api {
namespace {

using nlohmann::json;

TEST(ChatBodyTest, SendsOnlyWhatIsConfigured) {
  ChatRequestOptions o;
  o.model = "m";
  json body = json::parse(BuildChatBody(o, "hello"));
  EXPECT_EQ(body, (json{{"model", "m"},
                        {"messages", json::array({{{"role", "user"}, {"content", "hello"}}})},
                        {"stream", false}}));
  o.system_prompt = "be brief";
  o.temperature = 0.0;
  o.max_tokens = 512;
  o.extra_body = {{"top_p", 0.9},
                  {"n", 3},
                  {"stream", true},
                  {"model", "other"},
                  {"stream_options", {{"include_usage", true}}},
                  {"max_tokens", 7}};
  body = json::parse(BuildChatBody(o, "x"));
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["stream"], false);
  EXPECT_EQ(body["temperature"], 0.0);
  EXPECT_EQ(body["max_tokens"], 512);
  EXPECT_EQ(body["top_p"], 0.9);
  EXPECT_FALSE(body.contains("n"));
  EXPECT_FALSE(body.contains("stream_options"));
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0], (json{{"role", "system"}, {"content", "be brief"}}));
  // Invalid UTF-8 in the message does not break the JSON.
  EXPECT_NO_THROW(json::parse(BuildChatBody(o, "bad \xff byte")));
}

TEST(ChatReplyTest, ReadsTheOpenAiShape) {
  auto r = ParseChatReply(R"({"id": "chatcmpl-1", "object": "chat.completion", "created": 1,
    "model": "gpt-x", "choices": [{"index": 0, "message": {"role": "assistant",
    "content": "```python\nx = 1\n```", "refusal": null}, "logprobs": null,
    "finish_reason": "stop"}], "usage": {"prompt_tokens": 12, "completion_tokens": 7,
    "total_tokens": 19, "prompt_tokens_details": {"cached_tokens": 0}},
    "system_fingerprint": "fp"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->id, "chatcmpl-1");
  EXPECT_EQ(r->model, "gpt-x");
  EXPECT_EQ(r->content, "```python\nx = 1\n```");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->refusal, "");
  EXPECT_EQ(r->prompt_tokens, 12);
  EXPECT_EQ(r->completion_tokens, 7);
}

TEST(ChatReplyTest, LenientInWhatItAccepts) {
  // No usage, no id, no finish_reason, extra members, content as text parts.
  auto r = ParseChatReply(R"({"choices": [{"message": {"content": [{"type": "text",
    "text": "a"}, "b", {"type": "image_url"}]}, "extra": 1}], "weird": [1, 2]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->content, "ab");
  EXPECT_FALSE(r->prompt_tokens);
  EXPECT_EQ(r->finish_reason, "");
  // Null content, float counts, a partial usage, negative counts ignored.
  r = ParseChatReply(R"({"choices": [{"message": {"content": null, "refusal": "no"},
    "finish_reason": null}], "usage": {"prompt_tokens": 12.0, "completion_tokens": -3}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content, "");
  EXPECT_EQ(r->refusal, "no");
  EXPECT_EQ(r->prompt_tokens, 12);
  EXPECT_FALSE(r->completion_tokens);
  r = ParseChatReply(R"({"choices": [{"message": {"content": "x"}}], "usage": null})");
  ASSERT_TRUE(r.ok());
}

TEST(ChatReplyTest, WhatItRejects) {
  for (const char* body :
       {"", "[]", "{}", R"({"choices": []})", R"({"choices": [1]})", R"({"choices": [{}]})",
        R"({"choices": [{"message": "x"}]})", R"({"choices": [{"message": {"content": 5}}]})",
        "{\"choices\": [{\"message\": {\"content\": \"x\"}}]", "not json"}) {
    auto r = ParseChatReply(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kParse) << body;
  }
  auto r = ParseChatReply(R"({"error": {"message": "upstream failed", "code": 502}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("upstream failed"), std::string::npos);
  // Nesting beyond the limit is refused, not recursed into.
  EXPECT_FALSE(ParseChatReply(std::string(100000, '[')).ok());
}

TEST(ModelIdsTest, TheListShapes) {
  auto ids = ParseModelIds(R"({"object": "list", "data": [{"id": "a", "object": "model",
    "created": 0, "owned_by": "x"}, {"id": 5}, {"name": "n"}, {"id": "b"}]})");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b"}));
  ids = ParseModelIds(R"(["c", {"id": "d"}])");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"c", "d"}));
  EXPECT_FALSE(ParseModelIds(R"({"models": []})").ok());
  EXPECT_FALSE(ParseModelIds("5").ok());
}

TEST(ApiErrorTest, OpenAiAndVllmShapes) {
  auto e = ParseApiError(R"({"error": {"message": "Rate limit reached", "type": "tokens",
    "param": null, "code": "rate_limit_exceeded"}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Rate limit reached");
  EXPECT_EQ(e->type, "tokens");
  EXPECT_EQ(e->code, "rate_limit_exceeded");
  EXPECT_FALSE(IsQuotaError(*e));
  e = ParseApiError(R"({"object": "error", "message": "The model `x` does not exist.",
    "type": "NotFoundError", "param": null, "code": 404})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "404");
  EXPECT_FALSE(ParseApiError(R"({"detail": "x"})"));
  EXPECT_FALSE(ParseApiError("<html>"));
  e = ParseApiError(R"({"error": {"message": "You exceeded your current quota",
    "type": "insufficient_quota", "code": null}})");
  ASSERT_TRUE(e);
  EXPECT_TRUE(IsQuotaError(*e));
  EXPECT_TRUE(IsQuotaError({"", "insufficient_quota", "project_spend_limit_exceeded"}));
}

TEST(ApiErrorTest, TheDetailLineNamesTheMessageAndCode) {
  EXPECT_EQ(ParseErrorDetail(R"({"error": {"message": "Rate limit reached for requests",
    "type": "requests", "code": "rate_limit_exceeded"}})"),
            "Rate limit reached for requests (rate_limit_exceeded)");
  EXPECT_EQ(ParseErrorDetail(R"({"object": "error", "message": "bad", "type": "BadRequestError",
    "code": 400})"),
            "bad (400)");
  EXPECT_EQ(ParseErrorDetail(R"({"detail": "Not authenticated"})"), "Not authenticated");
}

}  // namespace
}  // namespace cnake::api
