#include "api/api_messages.h"

#include <gtest/gtest.h>

#include <string>

namespace cnake::api {
namespace {

using nlohmann::json;

TEST(BuildGenerateBodyTest, HasTheContractFields) {
  GenerateInput input;
  input.prompt = "Translate";
  input.source_code = "cdef int x = 1";
  input.source_id = "e1";
  input.batch_id = "b1";
  input.extra_metadata = {{"tags", "math"}, {"source_id", "overridden"}};
  const json body = json::parse(BuildGenerateBody(input));
  EXPECT_EQ(body["prompt"], "Translate");
  EXPECT_EQ(body["target_languages"], json::array({"python"}));
  EXPECT_EQ(body["source_language"], "cython");
  EXPECT_EQ(body["source_code"], "cdef int x = 1");
  EXPECT_EQ(body["equivalency_check"], true);
  EXPECT_EQ(body["optimization_level"], 1);
  EXPECT_EQ(body["max_attempts"], 3);
  EXPECT_EQ(body["metadata"]["source_id"], "e1");
  EXPECT_EQ(body["metadata"]["batch_id"], "b1");
  EXPECT_EQ(body["metadata"]["tags"], "math");
}

TEST(BuildGenerateBodyTest, InvalidUtf8IsReplacedNotThrown) {
  GenerateInput input;
  input.source_code = std::string("x = '\xff\xfe'");
  input.prompt = std::string("bad \xc3");
  std::string text;
  ASSERT_NO_THROW(text = BuildGenerateBody(input));
  const json body = json::parse(text);  // valid UTF-8 now
  EXPECT_NE(body["source_code"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(BuildGenerateBodyTest, NonObjectExtraMetadataIsIgnored) {
  GenerateInput input;
  input.source_id = "e";
  input.extra_metadata = json::array({1, 2});
  const json body = json::parse(BuildGenerateBody(input));
  EXPECT_TRUE(body["metadata"].is_object());
  EXPECT_EQ(body["metadata"]["source_id"], "e");
}

TEST(ParseSubmitResponseTest, AsyncAccepted) {
  auto r = ParseSubmitResponse(R"({"request_id":"abc-123"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(std::holds_alternative<SubmitAccepted>(*r));
  EXPECT_EQ(std::get<SubmitAccepted>(*r).request_id, "abc-123");
}

TEST(ParseSubmitResponseTest, AcceptedWithPendingStatusIsStillAccepted) {
  auto r = ParseSubmitResponse(R"({"request_id":"abc","status":"pending"})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::holds_alternative<SubmitAccepted>(*r));
}

TEST(ParseSubmitResponseTest, SyncModeFullResult) {
  auto r = ParseSubmitResponse(
      R"({"request_id":"abc","status":"completed","generated_code":{"python":"x = 1\n"},)"
      R"("build_results":{"ok":true},"analysis_results":null,"equivalency_result":{"equal":true},)"
      R"("error_messages":[]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ResultResponse>(*r));
  const auto& result = std::get<ResultResponse>(*r);
  EXPECT_EQ(result.status, JobStatus::kCompleted);
  ASSERT_TRUE(result.python.has_value());
  EXPECT_EQ(*result.python, "x = 1\n");
  EXPECT_EQ(result.build_results, json({{"ok", true}}));
  EXPECT_EQ(result.equivalency_result, json({{"equal", true}}));
}

TEST(ParseSubmitResponseTest, SyncModeFailure) {
  auto r = ParseSubmitResponse(R"({"status":"failed","error_messages":["boom"]})");
  ASSERT_TRUE(r.ok());
  const auto& result = std::get<ResultResponse>(*r);
  EXPECT_EQ(result.status, JobStatus::kFailed);
  EXPECT_EQ(result.error_messages, std::vector<std::string>{"boom"});
}

TEST(ParseSubmitResponseTest, MissingOrWrongRequestId) {
  EXPECT_EQ(ParseSubmitResponse("{}").status().code(), StatusCode::kParse);
  EXPECT_EQ(ParseSubmitResponse(R"({"request_id":42})").status().code(), StatusCode::kParse);
  EXPECT_EQ(ParseSubmitResponse(R"({"request_id":null})").status().code(), StatusCode::kParse);
  EXPECT_EQ(ParseSubmitResponse(R"(["request_id"])").status().code(), StatusCode::kParse);
}

TEST(ParseStatusResponseTest, AllKnownStatuses) {
  const std::pair<const char*, JobStatus> cases[] = {{"pending", JobStatus::kPending},
                                                     {"processing", JobStatus::kProcessing},
                                                     {"completed", JobStatus::kCompleted},
                                                     {"failed", JobStatus::kFailed}};
  for (const auto& [name, status] : cases) {
    auto r = ParseStatusResponse(std::string(R"({"status":")") + name + "\"}");
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_EQ(r->status, status);
    EXPECT_STREQ(JobStatusName(r->status), name);
  }
}

TEST(ParseStatusResponseTest, UnknownStatusKeepsRawText) {
  auto r = ParseStatusResponse(R"({"status":"queued_for_gpu"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, JobStatus::kUnknown);
  EXPECT_EQ(r->raw_status, "queued_for_gpu");
}

TEST(ParseStatusResponseTest, ProgressAndEta) {
  auto r = ParseStatusResponse(R"({"status":"processing","progress":0.5,"eta":12})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->progress, 0.5);
  EXPECT_EQ(r->eta_seconds, 12.0);

  auto lenient = ParseStatusResponse(R"({"status":"processing","progress":"half","eta":-3})");
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient->progress.has_value());
  EXPECT_FALSE(lenient->eta_seconds.has_value());

  auto nulls = ParseStatusResponse(R"({"status":"pending","progress":null,"eta":null})");
  ASSERT_TRUE(nulls.ok());
  EXPECT_FALSE(nulls->progress.has_value());
}

TEST(ParseStatusResponseTest, StatusMustBeAString) {
  EXPECT_EQ(ParseStatusResponse(R"({"status":1})").status().code(), StatusCode::kParse);
  EXPECT_EQ(ParseStatusResponse(R"({"progress":1})").status().code(), StatusCode::kParse);
  EXPECT_EQ(ParseStatusResponse(R"("completed")").status().code(), StatusCode::kParse);
}

TEST(ParseResultResponseTest, MissingPythonIsDistinctFromMalformed) {
  for (const char* body :
       {R"({"status":"completed"})", R"({"status":"completed","generated_code":null})",
        R"({"status":"completed","generated_code":{}})",
        R"({"status":"completed","generated_code":{"python":null,"rust":"fn"}})"}) {
    auto r = ParseResultResponse(body);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_TRUE(r->missing_python()) << body;
  }
  auto pending = ParseResultResponse(R"({"status":"processing"})");
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(pending->missing_python());
}

TEST(ParseResultResponseTest, WrongTypesAreParseErrors) {
  EXPECT_EQ(ParseResultResponse(R"({"status":"completed","generated_code":"x"})").status().code(),
            StatusCode::kParse);
  EXPECT_EQ(ParseResultResponse(R"({"status":"completed","generated_code":{"python":["x"]}})")
                .status()
                .code(),
            StatusCode::kParse);
}

TEST(ParseResultResponseTest, ErrorMessagesSkipNonStrings) {
  auto r = ParseResultResponse(R"({"status":"failed","error_messages":["a",1,null,"b"]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error_messages, (std::vector<std::string>{"a", "b"}));
  auto not_list = ParseResultResponse(R"({"status":"failed","error_messages":"oops"})");
  ASSERT_TRUE(not_list.ok());
  EXPECT_TRUE(not_list->error_messages.empty());
}

TEST(ParseResultResponseTest, NulInsideStringIsKept) {
  auto r = ParseResultResponse(R"({"status":"completed","generated_code":{"python":"a\u0000b"}})");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->python.has_value());
  EXPECT_EQ(*r->python, std::string("a\0b", 3));
}

TEST(HostileJsonTest, TruncatedAndEmptyBodies) {
  for (const char* body :
       {"", "{", R"({"status":"comp)", R"({"status":"completed",)", "null", "nul"}) {
    EXPECT_EQ(ParseResultResponse(body).status().code(), StatusCode::kParse) << body;
    EXPECT_EQ(ParseStatusResponse(body).status().code(), StatusCode::kParse) << body;
    EXPECT_EQ(ParseSubmitResponse(body).status().code(), StatusCode::kParse) << body;
  }
}

TEST(HostileJsonTest, DeepNestingIsRejectedWithoutRecursion) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = ParseJsonLimited(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParse);
  EXPECT_NE(r.status().message().find("deeper"), std::string::npos);
  const std::string deep_objects = std::string(R"({"status":"completed","x":)") +
                                   [] {
                                     std::string s;
                                     for (int i = 0; i < 100000; ++i) s += R"({"a":)";
                                     return s;
                                   }() +
                                   "1" + std::string(100000, '}') + "}";
  EXPECT_EQ(ParseResultResponse(deep_objects).status().code(), StatusCode::kParse);
  // Unterminated: the limit fires before the parser ever sees the end.
  EXPECT_EQ(ParseStatusResponse(std::string(1000000, '[')).status().code(), StatusCode::kParse);
}

TEST(HostileJsonTest, NestingUpToTheLimitIsAccepted) {
  std::string ok;
  for (int i = 0; i < kMaxJsonDepth - 1; ++i) ok += '[';
  ok += std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(ParseJsonLimited("{\"a\":" + ok + "}").ok());
  EXPECT_FALSE(ParseJsonLimited("{\"a\":[" + ok + "]}").ok());
}

TEST(HostileJsonTest, InvalidUtf8IsAParseError) {
  auto r =
      ParseResultResponse("{\"status\":\"completed\",\"generated_code\":{\"python\":\"\xff\"}}");
  EXPECT_EQ(r.status().code(), StatusCode::kParse);
  EXPECT_EQ(ParseSubmitResponse("{\"request_id\":\"\xc3\"}").status().code(), StatusCode::kParse);
}

TEST(HostileJsonTest, ErrorMessageIsShortPrintableUtf8) {
  // nlohmann quotes the last token read; here that is 100 KB of body text.
  const std::string body = "{\"status\":\"" + std::string(100000, 'a') + "\xff\x01\"}";
  auto r = ParseStatusResponse(body);
  ASSERT_EQ(r.status().code(), StatusCode::kParse);
  const std::string& message = r.status().message();
  EXPECT_LE(message.size(), kMaxDetailLength + 3);
  EXPECT_NO_THROW(json(message).dump());
  EXPECT_EQ(message.find('\x01'), std::string::npos);
}

TEST(HostileJsonTest, TrailingGarbageIsAParseError) {
  EXPECT_EQ(ParseStatusResponse(R"({"status":"pending"} x)").status().code(), StatusCode::kParse);
}

TEST(ParseErrorDetailTest, StringDetail) {
  EXPECT_EQ(ParseErrorDetail(R"({"detail":"Not authenticated"})"), "Not authenticated");
}

TEST(ParseErrorDetailTest, ValidationListDetail) {
  const std::string text = ParseErrorDetail(
      R"({"detail":[{"type":"missing","loc":["body","source_code"],"msg":"Field required"},)"
      R"({"type":"int_parsing","loc":["body","optimization_level",0],"msg":"Input should be a valid integer"}]})");
  EXPECT_EQ(text,
            "body.source_code: Field required; body.optimization_level.0: Input should be a valid "
            "integer");
}

TEST(ParseErrorDetailTest, NonJsonBodyIsShownOnOneLine) {
  EXPECT_EQ(ParseErrorDetail("<html>\r\nBad Gateway</html>"), "<html>  Bad Gateway</html>");
  EXPECT_EQ(ParseErrorDetail(""), "");
}

TEST(ParseErrorDetailTest, LongDetailIsTruncatedOnACharacterBoundary) {
  std::string detail;
  for (int i = 0; i < 500; ++i) detail += "\xC3\xA9";  // é, two bytes each
  const std::string text = ParseErrorDetail(json({{"detail", detail}}).dump());
  EXPECT_LE(text.size(), kMaxDetailLength + 3);
  EXPECT_EQ(text.substr(text.size() - 3), "...");
  EXPECT_NO_THROW(json(text.substr(0, text.size() - 3)).dump());  // valid UTF-8
}

TEST(ParseErrorDetailTest, InvalidUtf8BodyBecomesValidText) {
  const std::string text = ParseErrorDetail("bad \xff body");
  EXPECT_NO_THROW(json(text).dump());
  EXPECT_NE(text.find("bad"), std::string::npos);
}

}  // namespace
}  // namespace cnake::api
