// Which endpoint a job's first check asks, learned from recent jobs.
//
// A job the server gave no eta for is first checked after the policy's first
// delay. Asking /status then costs a third request when the job is already
// done (status, then results); asking /results directly costs one request
// fewer when it is done, and its answer carries no eta when it is not. So
// when most recent jobs were done at their first check, the first check asks
// /results; otherwise /status, whose eta times the next check.
//
// Pure; not thread-safe (the engine's thread owns it).
#pragma once

#include <array>
#include <cstddef>

namespace cnake::scheduler {

class FirstCheckHistory {
 public:
  static constexpr std::size_t kWindow = 32;
  static constexpr std::size_t kMinSamples = 8;

  // Records whether a job was done at its first check.
  void Record(bool done);
  // True when at least kMinSamples are known and more than half of the last
  // kWindow first checks found the job done.
  bool PreferResults() const;

 private:
  std::array<bool, kWindow> done_{};
  std::size_t count_ = 0;  // samples ever recorded
};

}  // namespace cnake::scheduler
