// A one-shot "the server is stopping" flag that sleeping fault handlers
// (latency, slow drip, hang) wait on, so Stop() never waits for a sleep.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace cnake::server {

class StopSignal {
 public:
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }
  // Sleeps for `d` of real time; returns true (early) if Stop() was called.
  template <class Rep, class Period>
  bool WaitFor(std::chrono::duration<Rep, Period> d) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, d, [&] { return stopped_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace cnake::server
