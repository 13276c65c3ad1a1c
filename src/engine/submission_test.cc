#include "engine/submission.h"

#include <gtest/gtest.h>

#include "engine/idempotency.h"

namespace cnake::engine {
namespace {

using nlohmann::json;

// The POST /generate body the CnakeCharmer contract sends for an entry.
std::string Body(const Entry& e, const std::string& batch, const std::string& prompt_template) {
  return api::MakeCnakeCharmerProtocol(prompt_template)
      ->BuildSubmit(SubmissionInput(e, batch))
      .body;
}

Entry Sample() {
  Entry e;
  e.id = "math/gcd";
  e.code = "cdef int gcd(int a, int b): ...";
  e.description = "Greatest common divisor.";
  e.tags_json = R"(["math","euclid"])";
  e.metadata_json = R"({"origin":"github","source_id":"not-this","stars":3})";
  e.submission_seq = 2;
  return e;
}

TEST(SubmissionTest, EntryDescriptionTagsAndMetadataGoInMetadata) {
  const json body = json::parse(Body(Sample(), "b-1", "T"));
  const json& m = body["metadata"];
  EXPECT_EQ(m["source_id"], "math/gcd");
  EXPECT_EQ(m["batch_id"], "b-1");
  EXPECT_EQ(m["submission"], 2);
  EXPECT_EQ(m["description"], "Greatest common divisor.");
  EXPECT_EQ(m["tags"], json::array({"math", "euclid"}));
  // The user's own metadata, whole and under its own name: its keys can
  // never replace source_id or batch_id.
  EXPECT_EQ(m["metadata"], json({{"origin", "github"}, {"source_id", "not-this"}, {"stars", 3}}));
  EXPECT_EQ(body["source_code"], Sample().code);
}

// An adopted entry keeps its old batch's key and batch_id.
TEST(SubmissionTest, TheBatchNamesTheKeyAndTheMetadata) {
  const api::SubmitInput in = SubmissionInput(Sample(), "old-batch");
  EXPECT_EQ(in.idempotency_key, IdempotencyKey("old-batch", "math/gcd", 2));
  const api::Request req = api::MakeCnakeCharmerProtocol("T")->BuildSubmit(in);
  EXPECT_EQ(req.idempotency_key, in.idempotency_key);
  EXPECT_EQ(json::parse(req.body)["metadata"]["batch_id"], "old-batch");
}

TEST(SubmissionTest, AbsentFieldsAreLeftOut) {
  Entry e;
  e.id = "bare";
  e.code = "x";
  const json m = json::parse(Body(e, "b", "T"))["metadata"];
  EXPECT_FALSE(m.contains("description"));
  EXPECT_FALSE(m.contains("tags"));
  EXPECT_FALSE(m.contains("metadata"));
  EXPECT_EQ(m["source_id"], "bare");
}

TEST(SubmissionTest, AColumnThatIsNotJsonIsSentAsText) {
  Entry e = Sample();
  e.metadata_json = "not json {";
  const json m = json::parse(Body(e, "b", "T"))["metadata"];
  EXPECT_EQ(m["metadata"], "not json {");
}

TEST(SubmissionTest, TheSameEntryGivesTheSameBody) {
  EXPECT_EQ(Body(Sample(), "b-1", "T {description}"), Body(Sample(), "b-1", "T {description}"));
}

}  // namespace
}  // namespace cnake::engine
