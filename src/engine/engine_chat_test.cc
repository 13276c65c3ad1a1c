// The engine with the chat protocol (api.protocol = openai) against a fake
// OpenAI-compatible API and a fake clock, over the in-memory store (and
// DuckDB where the stored columns matter). No sockets, no sleeps.
#include <gtest/gtest.h>

#include <map>

#include "api/protocol.h"
#include "engine/batch_lifecycle.h"
#include "engine/engine.h"
#include "engine/engine_fixture.h"
#include "engine/snapshot_json.h"
#include "store/duckdb/duckdb_store.h"
#include "store/memory/memory_store.h"
#include "testing/fake_clock.h"
#include "testing/fake_transport.h"
#include "testing/seeded_entropy.h"
#include "testing/temp_dir.h"

namespace cnake::engine {
namespace {

using api::Endpoint;
using nlohmann::json;
using namespace std::chrono_literals;

api::Response Json(int status, const json& body) {
  api::Response r;
  r.http_status = status;
  r.body = body.dump();
  r.latency = 20ms;
  return r;
}

// A chat completion whose reply is `content`; usage from the sizes.
api::Response Completion(const std::string& content, const std::string& finish = "stop",
                         std::int64_t prompt_tokens = 100, std::int64_t completion_tokens = 50) {
  return Json(
      200,
      {{"id", "c"},
       {"object", "chat.completion"},
       {"model", "m"},
       {"choices", json::array({{{"index", 0},
                                 {"message", {{"role", "assistant"}, {"content", content}}},
                                 {"finish_reason", finish}}})},
       {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens}}}});
}

std::string CodeOf(const api::Request& req) {
  const std::string user = json::parse(req.body)["messages"].back()["content"];
  const std::size_t open = user.find("```cython\n") + 10;
  std::string code = user.substr(open, user.rfind("```") - open);
  if (!code.empty() && code.back() == '\n') code.pop_back();
  return code;
}

std::string PythonFor(const std::string& code) { return "# py\n" + code + "\n"; }

class ChatEngineTest : public ::testing::Test {
 protected:
  ChatEngineTest() : store_(clock_), lifecycle_(store_, clock_, entropy_) {
    transport_.SetHandler([this](const api::Request& req) { return Handle(req); });
  }

  // The fake API: /models lists "m"; a chat POST goes to `chat` (default: a
  // fenced reply with the code's python).
  api::Response Handle(const api::Request& req) {
    requests_.push_back({req, clock_.Now()});
    if (req.endpoint == Endpoint::kHealth) return Json(200, {{"data", {{{"id", "m"}}}}});
    EXPECT_EQ(req.path, "/chat/completions");
    const std::string code = CodeOf(req);
    ++posts_[code];
    if (chat) return chat(req, code, posts_[code]);
    return Completion("```python\n" + PythonFor(code) + "```");
  }

  void Seed(int n) { test_support::SeedEntries(store_, n); }
  std::string Claim(int n) { return test_support::ClaimBatch(lifecycle_, n); }
  EngineOptions Options(const std::string& batch) {
    EngineOptions o = test_support::BaseOptions(batch);
    api::OpenAiProtocolOptions p;
    p.model = "m";
    p.prompt_template = "Translate {id}.";
    p.max_tokens = 200;
    o.protocol = api::MakeOpenAiProtocol(p);
    return o;
  }
  RunSummary Run(const EngineOptions& o) {
    auto work = store_.OpenWork(o.batch_id, {"runner", "host", 1});
    EXPECT_TRUE(work.ok());
    RunSummary r;
    {
      Engine engine(**work, transport_, clock_, o);
      r = engine.Run(nullptr);
    }
    EXPECT_TRUE(lifecycle_.Finish(o.batch_id, r).ok());
    return r;
  }
  std::vector<RequestLog> Logged(const std::string& entry) const {
    std::vector<RequestLog> out;
    for (const RequestLog& r : store_.Requests()) {
      if (r.entry_id == entry) out.push_back(r);
    }
    return out;
  }
  std::map<std::string, std::string> ErrorTypes() const {
    std::map<std::string, std::string> out;
    for (const auto& e : store_.Errors()) out[e.entry_id] = e.error_type;
    return out;
  }

  struct Sent {
    api::Request request;
    TimePoint at;
  };
  std::function<api::Response(const api::Request&, const std::string& code, int nth)> chat;
  FakeClock clock_;
  testing::SeededEntropy entropy_{7};
  MemoryStore store_;
  BatchLifecycle lifecycle_;
  testing::FakeTransport transport_{&clock_};
  std::vector<Sent> requests_;
  std::map<std::string, int> posts_;
};

TEST_F(ChatEngineTest, CompletesAndRecordsUsageAndTheExtractionRule) {
  Seed(6);
  RunSummary r = Run(Options(Claim(6)));
  ASSERT_EQ(r.reason, StopReason::kFinished) << r.message;
  EXPECT_EQ(r.final.completed, 6);
  EXPECT_EQ(r.final.prompt_tokens, 600);
  EXPECT_EQ(r.final.completion_tokens, 300);
  EXPECT_EQ(r.final.entries_with_usage, 6);
  const auto results = store_.Results();
  ASSERT_EQ(results.size(), 6u);
  const auto& first = results.at("e100");
  EXPECT_EQ(first.code, PythonFor("cdef int x = 0"));
  EXPECT_EQ(first.metadata["extraction"], "python_fence");
  EXPECT_EQ(first.metadata["protocol"], "openai");
  EXPECT_EQ(first.metadata["usage"], (json{{"prompt_tokens", 100}, {"completion_tokens", 50}}));
  // The live status and the metrics carry them too.
  const json live = SnapshotJson(r.final)["tokens"];
  EXPECT_EQ(live["total"], 900);
  EXPECT_EQ(live["per_entry"], 150.0);
  EXPECT_TRUE(live["cost"].is_null());  // no prices set
  EXPECT_NE(PrometheusMetrics(r.final).find("cnake_tokens_total{kind=\"completion\"} 300"),
            std::string::npos);
  const auto rows = Logged("e100");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].prompt_tokens, 100);
  EXPECT_EQ(rows[0].completion_tokens, 50);
  EXPECT_EQ(rows[0].endpoint, "generate");
  // No idempotency header, a silent timeout, the health check is the model list.
  for (const Sent& s : requests_) {
    if (s.request.endpoint == Endpoint::kSubmit) {
      EXPECT_EQ(s.request.idempotency_key, "");
      EXPECT_TRUE(s.request.silent_timeout.has_value());
    }
  }
}

TEST_F(ChatEngineTest, TheCostFollowsThePrices) {
  Seed(2);
  EngineOptions o = Options(Claim(2));
  o.price_per_million_input = 2;
  o.price_per_million_output = 10;
  RunSummary r = Run(o);
  EXPECT_DOUBLE_EQ(r.final.cost, (200 * 2.0 + 100 * 10.0) / 1e6);
  EXPECT_DOUBLE_EQ(SnapshotJson(r.final)["tokens"]["cost"].get<double>(), r.final.cost);
}

TEST_F(ChatEngineTest, EachAttemptIsCommittedBeforeItsPost) {
  Seed(1);
  std::vector<std::pair<EntryState, int>> seen;  // the stored entry when each POST went out
  chat = [&](const api::Request&, const std::string& code, int nth) {
    const Entry e = *store_.EntryById("e100");
    seen.emplace_back(e.state, e.attempts);
    if (nth < 3) return Json(500, {{"error", {{"message", "boom"}}}});
    return Completion("```python\n" + PythonFor(code) + "```");
  };
  RunSummary r = Run(Options(Claim(1)));
  ASSERT_EQ(r.final.completed, 1) << r.message;
  ASSERT_EQ(seen.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].first, EntryState::kSubmitted) << i;
    EXPECT_EQ(seen[i].second, i + 1) << "attempt " << i + 1 << " was not recorded before its POST";
  }
  const auto rows = Logged("e100");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].error_type, "http_500");
  EXPECT_EQ(rows[2].attempt, 3);
}

TEST_F(ChatEngineTest, ResumeCountsAnInterruptedAttemptAsSpentAndLogsIt) {
  Seed(2);
  const std::string batch = Claim(2);
  {
    // A run that recorded attempt 2 of e100 and attempt 4 of e101, sent them,
    // and died before their answers.
    auto work = store_.OpenWork(batch, {"dead", "host", 2});
    ASSERT_TRUE(work.ok());
    ASSERT_TRUE((*work)->Lease(10).ok());
    WriteGroup g;
    g.state_changes.push_back({"e100", EntryState::kSubmitted, 2, std::nullopt, false, 0});
    g.state_changes.push_back({"e101", EntryState::kSubmitted, 4, std::nullopt, false, 0});
    ASSERT_TRUE((*work)->Commit(g).ok());
    ASSERT_TRUE((*work)->Release().ok());
  }
  RunSummary r = Run(Options(batch));
  EXPECT_EQ(r.final.interrupted_attempts, 2);
  // e100: attempt 2 logged as interrupted, then attempt 3 sent and answered.
  auto rows = Logged("e100");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].error_type, "interrupted");
  EXPECT_EQ(rows[0].attempt, 2);
  EXPECT_EQ(rows[1].attempt, 3);
  EXPECT_EQ(store_.EntryById("e100")->state, EntryState::kCompleted);
  // e101: attempt 4 was the last one max_retries (3) allows: failed, not sent.
  rows = Logged("e101");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].error_type, "interrupted");
  EXPECT_EQ(ErrorTypes()["e101"], "interrupted");
  EXPECT_EQ(posts_.count("cdef int x = 1"), 0u);
}

TEST_F(ChatEngineTest, BilledAttemptsAreBoundedEvenDuringAnOutage) {
  Seed(8);
  chat = [](const api::Request&, const std::string&, int) {
    return Json(503, {{"error", {{"message", "overloaded"}}}});
  };
  EngineOptions o = Options(Claim(8));
  o.breaker_threshold = 2;
  o.probe_base = 100ms;
  o.probe_max = 200ms;
  RunSummary r = Run(o);
  EXPECT_EQ(r.final.failed, 8);
  for (const auto& [code, n] : posts_) {
    EXPECT_LE(n, o.retry.max_retries + 1) << code << ": more POSTs than max_retries + 1";
  }
  for (const auto& [entry, type] : ErrorTypes()) EXPECT_EQ(type, "http_503") << entry;
}

TEST_F(ChatEngineTest, UnusableRepliesFailTheirEntryAfterOnePost) {
  Seed(4);
  chat = [](const api::Request&, const std::string& code, int) {
    if (code == "cdef int x = 0") return Completion("```python\nx = (", "length");
    if (code == "cdef int x = 1") return Completion("I cannot translate this.");
    if (code == "cdef int x = 2") return Completion("", "content_filter");
    return Completion("x = 3\nprint(x)\n");  // bare code: taken whole
  };
  RunSummary r = Run(Options(Claim(4)));
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(ErrorTypes(),
            (std::map<std::string, std::string>{
                {"e100", "truncated_reply"}, {"e101", "no_code_in_reply"}, {"e102", "refused"}}));
  for (const auto& [code, n] : posts_) EXPECT_EQ(n, 1) << code;
  EXPECT_EQ(store_.Results().at("e103").metadata["extraction"], "whole_reply");
  EXPECT_EQ(r.final.prompt_tokens, 400);  // failed replies were billed and are counted
}

TEST_F(ChatEngineTest, QuotaExhaustionAndAMissingModelStopTheRun) {
  Seed(3);
  chat = [](const api::Request&, const std::string&, int) {
    return Json(
        429, {{"error",
               {{"message", "You exceeded your current quota"}, {"type", "insufficient_quota"}}}});
  };
  RunSummary r = Run(Options(Claim(3)));
  EXPECT_EQ(r.reason, StopReason::kFatal);
  EXPECT_NE(r.message.find("quota_exhausted"), std::string::npos) << r.message;
  chat = [](const api::Request&, const std::string&, int) {
    return Json(
        404,
        {{"error", {{"message", "The model `m` does not exist"}, {"code", "model_not_found"}}}});
  };
  Seed(4);  // e103 is new
  r = Run(Options(Claim(1)));
  EXPECT_EQ(r.reason, StopReason::kFatal);
  EXPECT_NE(r.message.find("not_found"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("does not exist"), std::string::npos) << r.message;
}

TEST_F(ChatEngineTest, TheTokenBudgetHoldsInEveryWindow) {
  Seed(30);
  // Every reply reports 700 tokens; the estimate (max_tokens 200 + the
  // prompt) is close to it. 3,000 tokens per 10 s admit four requests.
  chat = [](const api::Request&, const std::string& code, int) {
    return Completion("```python\n" + PythonFor(code) + "```", "stop", 500, 200);
  };
  transport_.SetHandlerDelay(1500ms);
  EngineOptions o = Options(Claim(30));
  o.tokens.tokens_per_minute = 3000;
  o.tokens.window = 10s;
  RunSummary r = Run(o);
  ASSERT_EQ(r.final.completed, 30);
  std::vector<TimePoint> sent;
  for (const Sent& s : requests_) {
    if (s.request.endpoint == Endpoint::kSubmit) sent.push_back(s.at);
  }
  ASSERT_EQ(sent.size(), 30u);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    int in_window = 0;
    for (std::size_t j = i; j < sent.size() && sent[j] < sent[i] + 10s; ++j) ++in_window;
    EXPECT_LE(in_window * 700, 3000 + 700) << "window from request " << i;
  }
  // Busy, too: 30 requests at 4 per 10 s take about 70 s, not much more.
  EXPECT_LT(sent.back() - sent.front(), 90s);
}

TEST_F(ChatEngineTest, ProviderHeadersPauseDispatchUntilTheirReset) {
  Seed(3);
  chat = [&](const api::Request&, const std::string& code, int nth) {
    if (code == "cdef int x = 0" && nth == 1) {
      // A 429 without Retry-After: the reset header says when to come back.
      api::Response r = Json(429, {{"error",
                                    {{"message", "Rate limit reached for requests"},
                                     {"type", "requests"},
                                     {"code", "rate_limit_exceeded"}}}});
      r.limit_headers = {{"x-ratelimit-remaining-requests", "0"},
                         {"x-ratelimit-reset-requests", "7s"}};
      return r;
    }
    return Completion("```python\n" + PythonFor(code) + "```");
  };
  EngineOptions o = Options(Claim(3));
  o.max_concurrent = 1;
  RunSummary r = Run(o);
  ASSERT_EQ(r.final.completed, 3);
  ASSERT_GE(requests_.size(), 4u);
  // The request after the 429 waited for the reset.
  TimePoint throttled_at{};
  for (std::size_t i = 0; i + 1 < requests_.size(); ++i) {
    if (requests_[i].request.endpoint == Endpoint::kSubmit && throttled_at == TimePoint{}) {
      throttled_at = requests_[i].at;
      EXPECT_GE(requests_[i + 1].at - throttled_at, 7s);
    }
  }
}

TEST(ChatEngineDuckDbTest, TokensAreStoredInTheRequestLog) {
  testing::TempDir dir;
  FakeClock clock;
  testing::SeededEntropy entropy{3};
  auto store = DuckDbStore::Open({dir.File("t.duckdb"), {}, {}});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)
                  ->UpsertEntries(
                      {{"a", "cdef int a = 1", {}, {}, {}}, {"b", "cdef int b = 2", {}, {}, {}}})
                  .ok());
  BatchLifecycle lifecycle(**store, clock, entropy);
  auto batch = lifecycle.Claim(json::object(), ClaimOptions{});
  ASSERT_TRUE(batch.ok());
  testing::FakeTransport transport(&clock);
  transport.SetHandler([](const api::Request& req) {
    if (req.endpoint == Endpoint::kHealth) return Json(200, {{"data", json::array()}});
    return Completion("```python\nx = 1\n```", "stop", 120, 30);
  });
  EngineOptions o;
  o.batch_id = batch->id;
  o.store_worker = StoreWorker::Mode::kInline;
  o.rate.requests_per_minute = 60000;
  api::OpenAiProtocolOptions p;
  p.model = "m";
  o.protocol = api::MakeOpenAiProtocol(p);
  auto work = (*store)->OpenWork(batch->id, {"r", "h", 1});
  ASSERT_TRUE(work.ok());
  {
    Engine engine(**work, transport, clock, o);
    ASSERT_EQ(engine.Run(nullptr).final.completed, 2);
  }
  auto totals = (*store)->queries().TokenTotals(batch->id);
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->prompt_tokens, 240);
  EXPECT_EQ(totals->completion_tokens, 60);
  EXPECT_EQ(totals->requests_with_usage, 2);
  EXPECT_EQ(totals->entries_with_usage, 2);
  auto all = (*store)->queries().TokenTotals("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total(), 300);
}

}  // namespace
}  // namespace cnake::engine
