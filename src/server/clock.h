// Time sources for the job engine, injectable so tests never sleep.
//
// The engine measures job progress with a monotonic clock and stamps logs and
// HTTP dates with the wall clock; both come from one Clock so a fake can move
// them together. Implementations must be thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace cnake::server {

using MonoTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Micros = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  MonoTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

// Starts at an arbitrary fixed point and moves only when Advance() is called.
class FakeClock final : public Clock {
 public:
  MonoTime Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return mono_;
  }
  WallTime WallNow() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
  }
  void Advance(Micros d) {
    std::lock_guard<std::mutex> lock(mu_);
    mono_ += d;
    wall_ += d;
  }

 private:
  mutable std::mutex mu_;
  MonoTime mono_ = MonoTime(std::chrono::hours(1000));
  WallTime wall_ = WallTime(std::chrono::seconds(1700000000));
};

}  // namespace cnake::server
