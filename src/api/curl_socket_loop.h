// CurlSocketLoop: drives one CURLM by its sockets (curl_multi_socket_action)
// over epoll, instead of curl_multi_perform + curl_multi_poll.
//
// Why: perform walks every transfer and poll() scans every socket on each
// wake-up, so each finished request cost O(transfers in flight): at 256 in
// flight that was about a quarter of a bare client's CPU
// (docs/benchmarks.md, the HTTP floor). Here libcurl hears only about the
// sockets that are ready and the timer it asked for.
//
// Contract: Install() sets the multi's socket and timer callbacks, which
// point at this object: it must outlive every call on the multi that can
// fire them (curl_multi_add_handle, _remove_handle, _socket_action,
// _cleanup), so destroy the multi first. The callbacks never throw.
//
// Thread safety: Run() and Install() on one thread; Wakeup() from any thread
// while the object is alive.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>

#include "util/status.h"

namespace cnake::api {

class CurlSocketLoop {
 public:
  CurlSocketLoop() = default;
  ~CurlSocketLoop();
  CurlSocketLoop(const CurlSocketLoop&) = delete;
  CurlSocketLoop& operator=(const CurlSocketLoop&) = delete;

  // kInternal when epoll or the wake-up eventfd cannot be made.
  Status Install(CURLM* multi);
  // Hands libcurl its due timer and ready sockets, waiting up to
  // `max_wait_ms` (0: not at all) for the first socket, timer or Wakeup().
  CURLMcode Run(int max_wait_ms);
  // Ends a Run() that is waiting, or the next one at once.
  void Wakeup();

 private:
  static int OnSocket(CURL* easy, curl_socket_t s, int what, void* loop, void* socketp) noexcept;
  static int OnTimer(CURLM* multi, long timeout_ms, void* loop) noexcept;
  CURLMcode FireTimerIfDue();
  int MillisecondsToTimer(int max_wait_ms) const;

  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  // When libcurl wants CURL_SOCKET_TIMEOUT; none when unset.
  std::optional<std::chrono::steady_clock::time_point> timer_;
};

}  // namespace cnake::api
