// The live fault configuration: the active Scenario (switchable at runtime),
// the attempt counters that feed Decide(), and per-fault counters.
//
// Thread-safe. Current() is on every request's path: it copies a shared_ptr
// under a mutex and never blocks on anything slow.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/clock.h"
#include "server/fault_plan.h"

namespace cnake::server {

class FaultController {
 public:
  // `clock` (must outlive this) times scenarios with a duration.
  FaultController(Scenario startup, uint64_t default_seed, Clock* clock);

  // The active scenario; reverts first if a timed scenario has run out.
  std::shared_ptr<const Scenario> Current();
  // Activates `scenario`. With a duration, the scenario active before this
  // call comes back once it has elapsed.
  void Set(Scenario scenario);
  // Back to the startup scenario; attempt and fault counters cleared.
  void Reset();

  // 1-based attempt number of a /generate request for `key`.
  uint32_t NextGenerateAttempt(std::string_view key);
  // 1-based attempt number for requests without a per-key history (/health,
  // unknown request ids): a per-endpoint request counter.
  uint32_t NextAnonymousAttempt(Endpoint endpoint);

  Decision Decide(const Scenario& scenario, Endpoint endpoint, std::string_view key,
                  uint32_t attempt) const;
  uint64_t SeedOf(const Scenario& scenario) const { return scenario.seed.value_or(default_seed_); }

  void CountInjected(Fault fault);
  // {"<fault name>": count, ...} for faults injected since start or Reset().
  nlohmann::json InjectedCounts() const;

 private:
  static constexpr size_t kShards = 16;
  struct CounterShard {
    std::mutex mu;
    std::unordered_map<std::string, uint32_t> counts;
  };

  const std::shared_ptr<const Scenario> startup_;
  const uint64_t default_seed_;
  Clock* const clock_;

  std::mutex mu_;
  std::shared_ptr<const Scenario> current_;
  std::shared_ptr<const Scenario> revert_to_;  // set while a timed scenario runs
  MonoTime revert_at_;

  std::array<CounterShard, kShards> generate_attempts_;
  std::array<std::atomic<uint32_t>, kEndpointCount> anonymous_attempts_{};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Fault::kCount)> injected_{};
};

}  // namespace cnake::server
