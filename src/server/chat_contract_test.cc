#include "server/chat_contract.h"

#include <gtest/gtest.h>

namespace cnake::server {
namespace {

using nlohmann::json;

TEST(ChatContractTest, CodeFromTheFirstFenceElseTheWholeMessage) {
  EXPECT_EQ(CodeFromMessage("Translate:\n```cython\ncdef int x\n```\nthanks"), "cdef int x\n");
  EXPECT_EQ(CodeFromMessage("````\na\n```\nb\n````"), "a\n```\nb\n");
  EXPECT_EQ(CodeFromMessage("~~~\nx\n~~~"), "x\n");
  EXPECT_EQ(CodeFromMessage("```py\nunclosed\n"), "unclosed\n");
  EXPECT_EQ(CodeFromMessage("cdef int y = 2"), "cdef int y = 2");
}

TEST(ChatContractTest, ParsesRequests) {
  ChatRequest r;
  json error;
  ASSERT_TRUE(ParseChatRequest(
      R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "text",
      "text": "```\nx = 1\n```"}]}], "max_completion_tokens": 9, "top_p": 1})",
      &r, &error))
      << error.dump();
  EXPECT_EQ(r.model, "m");
  EXPECT_EQ(r.code, "x = 1\n");
  EXPECT_EQ(r.max_tokens, 9);
  ChatRequest same;
  ASSERT_TRUE(ParseChatRequest(
      R"({"top_p": 1, "max_completion_tokens": 9, "messages": [{"content": [{"text":
      "```\nx = 1\n```", "type": "text"}], "role": "user"}], "model": "m"})",
      &same, &error));
  EXPECT_EQ(r.canonical_hash, same.canonical_hash);  // key order does not matter
  for (const char* bad : {"", "[]", R"({"messages": [{"role": "user", "content": "x"}]})",
                          R"({"model": "m", "messages": []})",
                          R"({"model": "m", "messages": [{"content": "x"}]})",
                          R"({"model": "m", "messages": [{"role": "user", "content": 1}]})",
                          R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                              "stream": true})",
                          R"({"model": "m", "messages": [{"role": "user", "content": "x"}],
                              "max_tokens": 0})"}) {
    ChatRequest out;
    json err;
    EXPECT_FALSE(ParseChatRequest(bad, &out, &err)) << bad;
    EXPECT_EQ(err["error"]["type"], "invalid_request_error") << bad;
  }
}

TEST(ChatContractTest, TokenRule) {
  EXPECT_EQ(CountTokens(""), 0);
  EXPECT_EQ(CountTokens("abcd"), 1);
  EXPECT_EQ(CountTokens("abcde"), 2);
  ChatRequest r;
  r.messages = {{"system", "abcd"}, {"user", "abcdefgh"}};
  EXPECT_EQ(PromptTokens(r), 3 + (4 + 1) + (4 + 2));
}

TEST(ChatContractTest, ResetDurationsAsOpenAiWritesThem) {
  using std::chrono::milliseconds;
  EXPECT_EQ(FormatResetDuration(milliseconds(250)), "250ms");
  EXPECT_EQ(FormatResetDuration(Micros(1)), "1ms");
  EXPECT_EQ(FormatResetDuration(milliseconds(1000)), "1s");
  EXPECT_EQ(FormatResetDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatResetDuration(milliseconds(360000)), "6m0s");
  EXPECT_EQ(FormatResetDuration(milliseconds(3723250)), "1h2m3.25s");
  EXPECT_EQ(FormatResetDuration(Micros(-5)), "0ms");
}

TEST(ChatContractTest, RepliesPerFault) {
  EXPECT_EQ(ReplyFor("x = 1", Fault::kNone, std::nullopt).content, "```python\nx = 1\n```");
  EXPECT_EQ(ReplyFor("x = 1\n", Fault::kNoFence, std::nullopt).content, "x = 1\n");
  const ChatReply cut = ReplyFor("x = 1\n", Fault::kLength, std::nullopt);
  EXPECT_EQ(cut.finish_reason, "length");
  EXPECT_FALSE(cut.complete);
  const ChatReply limited = ReplyFor(std::string(100, 'a'), Fault::kNone, 5);
  EXPECT_EQ(limited.content.size(), 20u);
  EXPECT_EQ(limited.finish_reason, "length");
}

}  // namespace
}  // namespace cnake::server
