// How the rate limiter learns an API's limit from its 429s: the ceiling, the
// hold just under it, probing above it, and a simulated fixed-window API.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "scheduler/rate_limiter.h"
#include "testing/fake_clock.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// A caller asking 10 times per second for 6 s, each request answered at
// once without a throttle; returns the grants.
int AskTenPerSecond(RateLimiter& limiter, FakeClock& clock) {
  int granted = 0;
  for (int i = 0; i < 60; ++i) {
    if (limiter.TryAcquire(clock.Now())) {
      ++granted;
      limiter.OnSuccess(clock.Now());
    }
    clock.Advance(100ms);
  }
  return granted;
}

TEST(RateLimiterTest, TheFirstThrottleSettlesUnderTheRateTheApiAccepted) {
  FakeClock clock;
  RateLimiter limiter(100000, 5, clock.Now());
  ASSERT_EQ(AskTenPerSecond(limiter, clock), 60);
  EXPECT_NEAR(limiter.AcceptedRpm(clock.Now())->rpm, 600, 12);
  limiter.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_NEAR(limiter.ceiling_rpm(), 600, 12);
  EXPECT_NEAR(limiter.current_rpm(), 0.9 * 600, 12);
  EXPECT_DOUBLE_EQ(limiter.floor_rpm(), 6) << "one request per 10 s, not 1% of 100000";
  // The same episode: the API refuses even the settled rate.
  clock.Advance(1s);
  const double settled = limiter.current_rpm();
  limiter.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), settled / 2);
  // An increase ends the episode; the next throttle measures again.
  clock.Advance(2s);
  limiter.OnSuccess(clock.Now());
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), settled);
  ASSERT_LT(AskTenPerSecond(limiter, clock), 60) << "the settled rate holds the caller back";
  const double accepted = limiter.AcceptedRpm(clock.Now())->rpm;
  const double sending = std::min(accepted, limiter.current_rpm());
  EXPECT_LT(sending, 600);
  limiter.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(limiter.ceiling_rpm(), sending);
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 0.9 * sending);
}

TEST(RateLimiterTest, TheAcceptedRateIsMeasuredAtAnySpeed) {
  FakeClock clock;
  RateLimiter limiter(1e6, 5, clock.Now());
  EXPECT_FALSE(limiter.AcceptedRpm(clock.Now())) << "nothing answered yet";
  for (int i = 0; i < 3000; ++i) {  // 1,000 per second: more than the ring holds
    limiter.OnSuccess(clock.Now());
    clock.Advance(1ms);
  }
  EXPECT_NEAR(limiter.AcceptedRpm(clock.Now())->rpm, 60000, 600);
  clock.Advance(10s);
  EXPECT_FALSE(limiter.AcceptedRpm(clock.Now())) << "none within the window";
}

TEST(RateLimiterTest, ARateMeasuredAcrossAPauseOrOverAMomentIsTentative) {
  FakeClock clock;
  RateLimiter limiter(100000, 5, clock.Now());
  auto answer_ten_per_second = [&](int seconds) {
    for (int i = 0; i < 10 * seconds; ++i) {
      limiter.OnSuccess(clock.Now());
      clock.Advance(100ms);
    }
  };
  for (int i = 0; i < 5; ++i) limiter.OnSuccess(clock.Now());  // a run's first answers
  EXPECT_DOUBLE_EQ(limiter.AcceptedRpm(clock.Now())->rpm, 300) << "over at least a second";
  EXPECT_FALSE(limiter.AcceptedRpm(clock.Now())->firm);
  answer_ten_per_second(3);
  EXPECT_TRUE(limiter.AcceptedRpm(clock.Now())->firm);
  limiter.PauseUntil(clock.Now(), clock.Now() + 2s);  // a Retry-After: nothing can be sent
  clock.Advance(2s);
  EXPECT_FALSE(limiter.AcceptedRpm(clock.Now())->firm);
  // A tentative ceiling is probed at once, a firm one held.
  limiter.OnThrottled(clock.Now(), std::nullopt);
  const double ceiling = limiter.ceiling_rpm();
  for (int i = 0; i < 20 && limiter.current_rpm() <= ceiling; ++i) {
    clock.Advance(2s);
    limiter.OnSuccess(clock.Now());
  }
  EXPECT_GT(limiter.current_rpm(), ceiling) << "tentative: probed within 40 s";
}

TEST(RateLimiterTest, AFirmCeilingIsHeldJustUnderForAMinute) {
  FakeClock clock;
  RateLimiter limiter(100000, 5, clock.Now());
  AskTenPerSecond(limiter, clock);
  limiter.OnThrottled(clock.Now(), std::nullopt);
  const double ceiling = limiter.ceiling_rpm();
  TimePoint reached{};
  while (limiter.current_rpm() < 0.97 * ceiling - 1e-9) {
    clock.Advance(2s);
    limiter.OnSuccess(clock.Now());
    reached = clock.Now();
  }
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 0.97 * ceiling);
  while (limiter.current_rpm() <= 0.97 * ceiling) {
    clock.Advance(2s);
    limiter.OnSuccess(clock.Now());
  }
  EXPECT_GE(clock.Now() - reached, 60s);
  EXPECT_LE(clock.Now() - reached, 64s);
}

TEST(RateLimiterTest, AThrottleWithNothingAnsweredHalvesAndLearnsNothing) {
  FakeClock clock;
  RateLimiter limiter(100000, 5, clock.Now());
  limiter.OnThrottled(clock.Now(), std::nullopt);  // the run's first requests
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 50000);
  EXPECT_DOUBLE_EQ(limiter.ceiling_rpm(), 100000);
  AskTenPerSecond(limiter, clock);
  limiter.OnThrottled(clock.Now(), std::nullopt);  // now there is something to learn from
  EXPECT_NEAR(limiter.ceiling_rpm(), 600, 12);
}

TEST(RateLimiterTest, AboveTheCeilingTheRateClimbsFasterAndFaster) {
  FakeClock clock;
  RateLimiter limiter(100000, 5, clock.Now());
  AskTenPerSecond(limiter, clock);
  limiter.OnThrottled(clock.Now(), std::nullopt);
  const double held = 0.97 * limiter.ceiling_rpm();
  std::vector<double> rates;
  while (limiter.current_rpm() < 100000 && rates.size() < 100) {
    clock.Advance(2s);
    limiter.OnSuccess(clock.Now());
    if (limiter.current_rpm() > held + 1e-9) rates.push_back(limiter.current_rpm());
  }
  ASSERT_GE(rates.size(), 3u);
  EXPECT_NEAR(rates[0], held * 1.05, 1e-6);
  EXPECT_NEAR(rates[1], rates[0] * 1.10, 1e-6);
  EXPECT_NEAR(rates[2], rates[1] * 1.20, 1e-6);
  EXPECT_LE(rates.size(), 14u) << "from 600 to 100000 within 14 increases above the ceiling";
  EXPECT_DOUBLE_EQ(limiter.current_rpm(), 100000);
}

// A simulated API's admission rule: given the time since the start, nullopt
// to accept a request, or the Retry-After of its 429.
using Admission = std::function<std::optional<Duration>(Duration)>;

// `limit` requests per wall-clock second (a fixed window, as the FastAPI
// peer and many gateways count); a 429's Retry-After points to the start of
// the window after next.
Admission FixedWindow(int limit) {
  return [limit, window = -1L, in_window = 0](Duration t) mutable -> std::optional<Duration> {
    const long second = std::chrono::duration_cast<std::chrono::seconds>(t).count();
    if (second != window) window = second, in_window = 0;
    if (++in_window <= limit) return std::nullopt;
    return std::chrono::seconds(2) - t % std::chrono::seconds(1);
  };
}

// A token bucket of `per_second` with room for `burst` (as providers that
// count per minute and replenish continuously); a 429 says to retry in the
// whole seconds until the next token, at least one.
Admission TokenBucket(double per_second, double burst) {
  return [per_second, burst, tokens = burst,
          at = Duration::zero()](Duration t) mutable -> std::optional<Duration> {
    tokens = std::min(burst, tokens + per_second * Seconds(t - at));
    at = t;
    if (tokens >= 1) {
      tokens -= 1;
      return std::nullopt;
    }
    return std::chrono::seconds(1 + static_cast<long>((1 - tokens) / per_second));
  };
}

// A caller that always has work (16 requests in flight at most, each
// answered after 20 ms) against an API admitting by `admit`: only the
// limiter and the API decide the rate. Returns the requests the API accepted
// per second between `from` and `to` after the start.
double AcceptedPerSecond(double configured_rpm, Admission admit, Duration from, Duration to) {
  FakeClock clock;
  const TimePoint start = clock.Now();
  RateLimiter limiter(configured_rpm, 5, start);
  struct InFlight {
    TimePoint answered;
    std::optional<Duration> retry_after;  // a 429
  };
  std::vector<InFlight> in_flight;
  int accepted = 0;
  while (clock.Now() - start < to) {
    const TimePoint now = clock.Now();
    for (std::size_t i = 0; i < in_flight.size();) {
      if (in_flight[i].answered > now) {
        ++i;
        continue;
      }
      if (in_flight[i].retry_after) {
        limiter.OnThrottled(now, in_flight[i].retry_after);
      } else {
        limiter.OnSuccess(now);
      }
      in_flight.erase(in_flight.begin() + static_cast<long>(i));
    }
    while (in_flight.size() < 16 && limiter.TryAcquire(now)) {
      const std::optional<Duration> refused = admit(now - start);
      if (!refused && now - start >= from) ++accepted;
      in_flight.push_back({now + 20ms, refused});
    }
    clock.Advance(1ms);
  }
  return accepted / Seconds(to - from);
}

TEST(RateLimiterTest, AConfiguredRateFarAboveTheApisLimitStillUsesMostOfTheAllowance) {
  for (const double rpm : {100000.0, 6000.0, 1200.0}) {
    const double per_second = AcceptedPerSecond(rpm, FixedWindow(10), 60s, 600s);
    EXPECT_GE(per_second, 0.85 * 10) << "--rpm " << rpm;
    RecordProperty("accepted_centi_per_s_" + std::to_string(static_cast<int>(rpm)),
                   static_cast<int>(per_second * 100));
  }
  // At the API's own limit the limiter alone keeps within it.
  EXPECT_GE(AcceptedPerSecond(600, FixedWindow(10), 60s, 600s), 0.95 * 10);
}

TEST(RateLimiterTest, AgainstATokenBucketApiToo) {
  for (const double rpm : {100000.0, 1200.0}) {
    const double per_second = AcceptedPerSecond(rpm, TokenBucket(10, 20), 60s, 600s);
    EXPECT_GE(per_second, 0.85 * 10) << "--rpm " << rpm;
    RecordProperty("bucket_accepted_centi_per_s_" + std::to_string(static_cast<int>(rpm)),
                   static_cast<int>(per_second * 100));
  }
}

}  // namespace
}  // namespace cnake::scheduler
