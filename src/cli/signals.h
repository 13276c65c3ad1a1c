// SIGINT/SIGTERM handling for the whole process. The constructor blocks both
// signals in the calling thread, so it must run in main before any other
// thread starts (threads, DuckDB's workers included, inherit the mask); a
// dedicated thread then waits for them with sigwait and calls the current
// handler with the running count, outside signal context. With no handler
// set, a signal exits at once with 130, as the default action would.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <functional>
#include <mutex>
#include <thread>

namespace cnake::cli {

class SignalWatcher {
 public:
  using Handler = std::function<void(int count, int signo)>;

  SignalWatcher();
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Thread-safe. An empty handler restores the default (exit 130).
  void SetHandler(Handler handler);

 private:
  void Dispatch(int count, int signo);

  sigset_t old_mask_;
  std::mutex mu_;
  Handler handler_;
  std::thread thread_;
};

}  // namespace cnake::cli
