// SIGINT/SIGTERM handling for long-running commands. The constructor blocks
// both signals in the calling thread, so it must run before any other thread
// is started (threads inherit the mask); a dedicated thread then waits for
// them with sigwait and calls `on_signal(n)` with the running count, outside
// signal context. The destructor stops the thread and restores the mask.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <functional>
#include <thread>

namespace cnake::cli {

class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int count, int signo)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  sigset_t old_mask_;
  std::thread thread_;
};

}  // namespace cnake::cli
