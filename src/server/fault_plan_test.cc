#include "server/fault_plan.h"

#include <gtest/gtest.h>

#include "server/fault_controller.h"

namespace cnake::server {
namespace {

using nlohmann::json;

Scenario Parse(const json& j) {
  auto s = Scenario::FromJson(j);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Scenario{};
}

std::vector<Fault> Sequence(const Scenario& s, uint64_t seed, Endpoint e, int n) {
  std::vector<Fault> out;
  for (int i = 1; i <= n; ++i) {
    out.push_back(
        Decide(s, seed, e, "key-" + std::to_string(i % 7), static_cast<uint32_t>(i)).fault);
  }
  return out;
}

TEST(FaultNamesTest, EveryFaultRoundTripsThroughItsName) {
  for (int i = 1; i < static_cast<int>(Fault::kCount); ++i) {
    const Fault f = static_cast<Fault>(i);
    ASSERT_NE(FaultName(f), nullptr);
    EXPECT_EQ(FaultFromName(FaultName(f)), f);
  }
  EXPECT_FALSE(FaultFromName("nope").has_value());
}

TEST(ScenarioTest, WildcardAppliesToEveryEndpointAndSpecificOverrides) {
  Scenario s =
      Parse({{"endpoints", {{"*", {{"503", 0.2}}}, {"status", {{"503", 0.5}, {"500", 0.1}}}}}});
  const auto& generate = s.endpoints[static_cast<size_t>(Endpoint::kGenerate)].rates;
  ASSERT_EQ(generate.size(), 1u);
  EXPECT_EQ(generate[0].first, Fault::kStatus503);
  EXPECT_DOUBLE_EQ(generate[0].second, 0.2);
  const auto& status = s.endpoints[static_cast<size_t>(Endpoint::kStatus)].rates;
  ASSERT_EQ(status.size(), 2u);
  EXPECT_DOUBLE_EQ(status[1].second, 0.5);
  EXPECT_TRUE(s.HasFaults(Endpoint::kHealth));
}

TEST(ScenarioTest, RejectsBadInputWithTheFieldName) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"endpoints", {{"status", {{"429", 1.5}}}}}}, "endpoints.status.429"},
      {{{"endpoints", {{"status", {{"teapot", 0.1}}}}}}, "endpoints.status.teapot"},
      {{{"endpoints", {{"status", {{"job_lost", 0.1}}}}}}, "generate"},
      {{{"endpoints", {{"*", {{"job_failed", 0.1}}}}}}, "generate"},
      {{{"endpoints", {{"health", {{"500", 0.6}, {"502", 0.6}}}}}}, "more than 1"},
      {{{"endpoints", {{"metrics", json::object()}}}}, "endpoints.metrics"},
      {{{"params", {{"retry_after_form", "weekly"}}}}, "params.retry_after_form"},
      {{{"delay", "soon"}}, "delay"},
      {{{"surprise", 1}}, "surprise"},
  };
  for (const auto& [input, needle] : cases) {
    auto s = Scenario::FromJson(input);
    ASSERT_FALSE(s.ok()) << input.dump();
    EXPECT_NE(s.status().message().find(needle), std::string::npos)
        << s.status().message() << " should mention " << needle;
  }
}

TEST(ScenarioTest, ToJsonRoundTrips) {
  Scenario s = Parse({{"seed", 9},
                      {"delay", "uniform:10ms,20ms"},
                      {"duration_s", 30},
                      {"endpoints",
                       {{"generate",
                         {{"429", 0.25},
                          {"job_lost", 0.25},
                          {"latency", {{"rate", 0.5}, {"ms", 20}, {"jitter_ms", 5}}}}}}},
                      {"params", {{"retry_after_s", 3}, {"retry_after_form", "http-date"}}}});
  Scenario again = Parse(s.ToJson());
  EXPECT_EQ(again.ToJson(), s.ToJson());
  EXPECT_EQ(again.params.retry_after_s, 3);
  EXPECT_EQ(again.params.retry_after_form, RetryAfterForm::kHttpDate);
  EXPECT_EQ(*again.seed, 9u);
  EXPECT_EQ(again.duration, std::chrono::seconds(30));
}

TEST(DecideTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  Scenario s = Parse({{"endpoints", {{"generate", {{"429", 0.2}, {"500", 0.2}, {"hang", 0.1}}}}}});
  const auto a = Sequence(s, 42, Endpoint::kGenerate, 200);
  EXPECT_EQ(a, Sequence(s, 42, Endpoint::kGenerate, 200));
  EXPECT_NE(a, Sequence(s, 43, Endpoint::kGenerate, 200));
  EXPECT_NE(a, Sequence(s, 42, Endpoint::kStatus, 200));  // status has no faults
}

TEST(DecideTest, RatesAreHonouredApproximately) {
  Scenario s = Parse({{"endpoints", {{"status", {{"503", 0.3}, {"reset_mid", 0.1}}}}}});
  int n503 = 0, reset = 0, none = 0;
  for (uint32_t i = 1; i <= 20000; ++i) {
    switch (Decide(s, 7, Endpoint::kStatus, "job", i).fault) {
      case Fault::kStatus503:
        ++n503;
        break;
      case Fault::kResetMid:
        ++reset;
        break;
      case Fault::kNone:
        ++none;
        break;
      default:
        ADD_FAILURE() << "unexpected fault";
    }
  }
  EXPECT_NEAR(n503 / 20000.0, 0.3, 0.02);
  EXPECT_NEAR(reset / 20000.0, 0.1, 0.015);
  EXPECT_NEAR(none / 20000.0, 0.6, 0.02);
}

TEST(DecideTest, RateOneAlwaysFiresAndLatencyIsIndependent) {
  Scenario s =
      Parse({{"endpoints",
              {{"health",
                {{"503", 1.0}, {"latency", {{"rate", 1.0}, {"ms", 100}, {"jitter_ms", 10}}}}}}}});
  for (uint32_t i = 1; i <= 100; ++i) {
    const Decision d = Decide(s, 1, Endpoint::kHealth, "", i);
    EXPECT_EQ(d.fault, Fault::kStatus503);
    EXPECT_GE(d.latency, std::chrono::milliseconds(90));
    EXPECT_LE(d.latency, std::chrono::milliseconds(110));
  }
}

TEST(FaultControllerTest, TimedScenarioRevertsToThePreviousOne) {
  FakeClock clock;
  FaultController faults(Parse({{"endpoints", {{"health", {{"500", 0.5}}}}}}), 1, &clock);
  faults.Set(Parse({{"duration_s", 30}, {"endpoints", {{"*", {{"503", 1.0}}}}}}));
  EXPECT_TRUE(faults.Current()->HasFaults(Endpoint::kGenerate));
  clock.Advance(std::chrono::seconds(29));
  EXPECT_TRUE(faults.Current()->HasFaults(Endpoint::kGenerate));
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(faults.Current()->HasFaults(Endpoint::kGenerate));
  EXPECT_TRUE(faults.Current()->HasFaults(Endpoint::kHealth));
}

TEST(FaultControllerTest, AttemptsCountPerKeyAndResetClearsThem) {
  FakeClock clock;
  FaultController faults(Scenario{}, 1, &clock);
  EXPECT_EQ(faults.NextGenerateAttempt("a"), 1u);
  EXPECT_EQ(faults.NextGenerateAttempt("a"), 2u);
  EXPECT_EQ(faults.NextGenerateAttempt("b"), 1u);
  EXPECT_EQ(faults.NextAnonymousAttempt(Endpoint::kHealth), 1u);
  faults.CountInjected(Fault::kHang);
  EXPECT_EQ(faults.InjectedCounts()["hang"], 1);
  faults.Reset();
  EXPECT_EQ(faults.NextGenerateAttempt("a"), 1u);
  EXPECT_TRUE(faults.InjectedCounts().empty());
}

}  // namespace
}  // namespace cnake::server
