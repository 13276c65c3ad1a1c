#include "scheduler/circuit_breaker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "testing/fake_clock.h"
#include "util/random.h"

namespace cnake::scheduler {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

TEST(CircuitBreakerTest, OpensAfterThresholdConsecutiveFailures) {
  FakeClock clock;
  CircuitBreaker breaker(3, 1s, 30s);
  breaker.OnTransientFailure(clock.Now(), 0.5);
  breaker.OnTransientFailure(clock.Now(), 0.5);
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.AllowsDispatch());
  EXPECT_TRUE(breaker.ShouldCountAttempt());
  breaker.OnTransientFailure(clock.Now(), 0.5);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.AllowsDispatch());
  EXPECT_FALSE(breaker.ShouldCountAttempt());
  EXPECT_EQ(breaker.opens(), 1);
}

TEST(CircuitBreakerTest, SuccessResetsTheConsecutiveCount) {
  FakeClock clock;
  CircuitBreaker breaker(3, 1s, 30s);
  for (int i = 0; i < 10; ++i) {
    breaker.OnTransientFailure(clock.Now(), 0.5);
    breaker.OnTransientFailure(clock.Now(), 0.5);
    breaker.OnSuccess(clock.Now());
  }
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(breaker.opens(), 0);
}

TEST(CircuitBreakerTest, NonPositiveThresholdDisablesTheBreaker) {
  FakeClock clock;
  CircuitBreaker breaker(0, 1s, 30s);
  for (int i = 0; i < 1000; ++i) breaker.OnTransientFailure(clock.Now(), 0.5);
  EXPECT_TRUE(breaker.AllowsDispatch());
}

TEST(CircuitBreakerTest, ProbeIsDueWithinItsJitterWindowAndStartsOnce) {
  FakeClock clock;
  CircuitBreaker breaker(1, 2s, 60s);
  const TimePoint opened = clock.Now();
  breaker.OnTransientFailure(opened, 0.0);  // the first probe waits cap/2 = 1 s
  EXPECT_FALSE(breaker.ProbeDue(opened + 999ms));
  EXPECT_FALSE(breaker.TryStartProbe(opened + 999ms));
  EXPECT_EQ(breaker.TimeUntilProbe(opened + 400ms), 600ms);
  EXPECT_TRUE(breaker.ProbeDue(opened + 1s));
  EXPECT_TRUE(breaker.TryStartProbe(opened + 1s));
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  EXPECT_FALSE(breaker.AllowsDispatch());
  EXPECT_FALSE(breaker.TryStartProbe(opened + 1s));  // one probe in flight at most
  EXPECT_EQ(breaker.TimeUntilProbe(opened + 1s), Duration::max());
  EXPECT_EQ(breaker.probes(), 1);
}

TEST(CircuitBreakerTest, FailedProbesBackOffExponentiallyWithinBounds) {
  Random rng(3);
  FakeClock clock;
  CircuitBreaker breaker(1, 1s, 30s);
  breaker.OnTransientFailure(clock.Now(), rng.Uniform01());
  Duration previous_cap{0};
  for (int k = 0; k < 12; ++k) {
    const Duration cap = std::min<Duration>(30s, 1s * (int64_t{1} << k));
    const Duration wait = breaker.TimeUntilProbe(clock.Now());
    ASSERT_GE(wait, cap / 2) << k;
    ASSERT_LE(wait, cap) << k;
    ASSERT_GE(cap, previous_cap);
    previous_cap = cap;
    clock.Advance(wait);
    ASSERT_TRUE(breaker.TryStartProbe(clock.Now()));
    clock.Advance(200ms);  // probe latency
    breaker.OnProbeResult(false, clock.Now(), rng.Uniform01());
    ASSERT_EQ(breaker.state(), State::kOpen);
  }
  EXPECT_EQ(breaker.probes(), 12);
  EXPECT_EQ(breaker.opens(), 1);
}

TEST(CircuitBreakerTest, ProbeDelayUsesTheWholeJitterRange) {
  CircuitBreaker breaker(1, 1s, 30s);
  EXPECT_EQ(breaker.ProbeDelay(0, 0.0), 500ms);
  EXPECT_EQ(breaker.ProbeDelay(0, 1.0), 1s);
  EXPECT_EQ(breaker.ProbeDelay(3, 0.5), 6s);
  EXPECT_EQ(breaker.ProbeDelay(100, 1.0), 30s);
  EXPECT_EQ(breaker.ProbeDelay(1 << 30, 0.0), 15s);
}

TEST(CircuitBreakerTest, HealthyProbeClosesAndDispatchResumes) {
  FakeClock clock;
  CircuitBreaker breaker(2, 1s, 30s);
  const TimePoint opened = clock.Now();
  breaker.OnTransientFailure(opened, 1.0);
  breaker.OnTransientFailure(opened, 1.0);
  clock.Advance(1s);
  ASSERT_TRUE(breaker.TryStartProbe(clock.Now()));
  clock.Advance(500ms);
  breaker.OnProbeResult(true, clock.Now(), 0.5);
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.AllowsDispatch());
  EXPECT_EQ(breaker.total_open_time(clock.Now()), 1500ms);
  // A fresh run of failures is needed to open again.
  breaker.OnTransientFailure(clock.Now(), 0.5);
  EXPECT_EQ(breaker.state(), State::kClosed);
  breaker.OnTransientFailure(clock.Now(), 0.5);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_EQ(breaker.opens(), 2);
  clock.Advance(2s);
  EXPECT_EQ(breaker.total_open_time(clock.Now()), 3500ms);
}

TEST(CircuitBreakerTest, ReopeningRestartsTheProbeSchedule) {
  FakeClock clock;
  CircuitBreaker breaker(1, 1s, 30s);
  breaker.OnTransientFailure(clock.Now(), 1.0);
  for (int i = 0; i < 5; ++i) {
    clock.Advance(breaker.TimeUntilProbe(clock.Now()));
    ASSERT_TRUE(breaker.TryStartProbe(clock.Now()));
    breaker.OnProbeResult(false, clock.Now(), 1.0);
  }
  EXPECT_EQ(breaker.TimeUntilProbe(clock.Now()), 30s);
  clock.Advance(30s);
  ASSERT_TRUE(breaker.TryStartProbe(clock.Now()));
  breaker.OnProbeResult(true, clock.Now(), 1.0);
  breaker.OnTransientFailure(clock.Now(), 1.0);
  EXPECT_EQ(breaker.TimeUntilProbe(clock.Now()), 1s);
}

TEST(CircuitBreakerTest, LateEventsAreHandled) {
  FakeClock clock;
  CircuitBreaker breaker(1, 1s, 30s);
  breaker.OnTransientFailure(clock.Now(), 0.5);
  // In-flight failures while open change nothing, probe results without a
  // probe are ignored.
  breaker.OnTransientFailure(clock.Now(), 0.0);
  breaker.OnProbeResult(true, clock.Now(), 0.5);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_EQ(breaker.TimeUntilProbe(clock.Now()), 750ms);
  // A request sent before the opening succeeded: the API is reachable.
  breaker.OnSuccess(clock.Now());
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(breaker.consecutive_failures(), 0);
}

TEST(CircuitBreakerTest, MaxProbesWithinMatchesTheScheduleByHand) {
  CircuitBreaker breaker(5, 1s, 30s);
  // Minimum delays 0.5, 1, 2, 4, 8, 15, 15, ... start at 0.5, 1.5, 3.5, 7.5,
  // 15.5, 30.5, 45.5, 60.5 s.
  EXPECT_EQ(breaker.MaxProbesWithin(0s), 0);
  EXPECT_EQ(breaker.MaxProbesWithin(499ms), 0);
  EXPECT_EQ(breaker.MaxProbesWithin(500ms), 1);
  EXPECT_EQ(breaker.MaxProbesWithin(15500ms), 5);
  EXPECT_EQ(breaker.MaxProbesWithin(60s), 7);
  EXPECT_EQ(breaker.MaxProbesWithin(60500ms), 8);
  EXPECT_EQ(breaker.MaxProbesWithin(3600s), 7 + (3600000 - 45500) / 15000);
  EXPECT_GT(breaker.MaxProbesWithin(Duration::max()), 0);
}

// An engine-like simulation: `max_concurrent` requests in flight, each
// taking `latency`, against an API that is down for the first 60 s. Counts
// every request sent during the outage.
struct OutageResult {
  long requests = 0;
  long probes = 0;
  bool recovered = false;
};

OutageResult SimulateOutage(CircuitBreaker& breaker, int max_concurrent, Duration latency,
                            Duration outage, uint64_t seed) {
  FakeClock clock;
  Random rng(seed);
  const TimePoint start = clock.Now();
  OutageResult result;
  std::vector<TimePoint> in_flight;         // completion times of real requests
  TimePoint probe_done = TimePoint::max();  // max: no probe in flight
  while (clock.Now() - start < outage + 120s) {
    const TimePoint now = clock.Now();
    const bool down = now - start < outage;
    // Completions.
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (*it > now) {
        ++it;
        continue;
      }
      if (down) {
        breaker.OnTransientFailure(now, rng.Uniform01());
      } else {
        breaker.OnSuccess(now);
      }
      it = in_flight.erase(it);
    }
    if (probe_done <= now) {
      breaker.OnProbeResult(!down, now, rng.Uniform01());
      probe_done = TimePoint::max();
    }
    if (!down && breaker.AllowsDispatch()) {
      result.recovered = true;
      break;
    }
    // Dispatch.
    while (breaker.AllowsDispatch() && static_cast<int>(in_flight.size()) < max_concurrent) {
      in_flight.push_back(now + latency);
      if (down) ++result.requests;
    }
    if (breaker.TryStartProbe(now)) {
      probe_done = now + latency;
      if (down) ++result.probes;
    }
    clock.Advance(10ms);
  }
  return result;
}

TEST(CircuitBreakerTest, RequestsDuringAnOutageStayWithinTheDocumentedBound) {
  constexpr int kThreshold = 5;
  constexpr int kMaxConcurrent = 8;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    for (Duration latency : {Duration(10ms), Duration(300ms), Duration(5s)}) {
      CircuitBreaker breaker(kThreshold, 1s, 30s);
      const OutageResult r = SimulateOutage(breaker, kMaxConcurrent, latency, 60s, seed);
      EXPECT_TRUE(r.recovered);
      EXPECT_LE(r.requests, kThreshold + kMaxConcurrent - 1) << seed;
      EXPECT_LE(r.probes, breaker.MaxProbesWithin(60s)) << seed;
      EXPECT_GE(r.probes, 2);  // it did keep probing
      EXPECT_EQ(breaker.opens(), 1);
    }
  }
}

}  // namespace
}  // namespace cnake::scheduler
