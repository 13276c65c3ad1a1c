#include "api/curl_socket_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace cnake::api {
namespace {

using Clock = std::chrono::steady_clock;

int CurlEventsOf(std::uint32_t events) {
  int mask = 0;
  if (events & EPOLLIN) mask |= CURL_CSELECT_IN;
  if (events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
  if (events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
  return mask;
}

}  // namespace

CurlSocketLoop::~CurlSocketLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

Status CurlSocketLoop::Install(CURLM* multi) {
  multi_ = multi;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return InternalError(std::string("cannot set up the transport's event loop: ") +
                         std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return InternalError(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  CURLMcode rc = curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlSocketLoop::OnSocket);
  if (rc == CURLM_OK) rc = curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  if (rc == CURLM_OK)
    rc = curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlSocketLoop::OnTimer);
  if (rc == CURLM_OK) rc = curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  if (rc != CURLM_OK) {
    return InternalError(std::string("curl_multi_setopt: ") + curl_multi_strerror(rc));
  }
  return Status::Ok();
}

int CurlSocketLoop::OnSocket(CURL*, curl_socket_t s, int what, void* loop, void*) noexcept {
  auto* self = static_cast<CurlSocketLoop*>(loop);
  if (what == CURL_POLL_REMOVE) {
    // The socket may be closed already; then the kernel dropped it itself.
    epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  ev.data.fd = s;
  if (epoll_ctl(self->epoll_fd_, EPOLL_CTL_MOD, s, &ev) == 0) return 0;
  if (errno == ENOENT && epoll_ctl(self->epoll_fd_, EPOLL_CTL_ADD, s, &ev) == 0) return 0;
  return -1;  // libcurl then fails the transfers on this socket
}

int CurlSocketLoop::OnTimer(CURLM*, long timeout_ms, void* loop) noexcept {
  auto* self = static_cast<CurlSocketLoop*>(loop);
  if (timeout_ms < 0) {
    self->timer_.reset();
  } else {
    self->timer_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

CURLMcode CurlSocketLoop::FireTimerIfDue() {
  if (!timer_ || *timer_ > Clock::now()) return CURLM_OK;
  timer_.reset();  // libcurl sets the next one from inside the call
  int running = 0;
  return curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
}

int CurlSocketLoop::MillisecondsToTimer(int max_wait_ms) const {
  if (!timer_) return max_wait_ms;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*timer_ - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, max_wait_ms));
}

CURLMcode CurlSocketLoop::Run(int max_wait_ms) {
  CURLMcode rc = FireTimerIfDue();
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  const int n = epoll_wait(epoll_fd_, events, kMaxEvents, MillisecondsToTimer(max_wait_ms));
  for (int i = 0; i < n && rc == CURLM_OK; ++i) {
    if (events[i].data.fd == wake_fd_) {
      std::uint64_t count = 0;
      while (read(wake_fd_, &count, sizeof count) > 0) {
      }
      continue;
    }
    int running = 0;
    rc = curl_multi_socket_action(multi_, events[i].data.fd, CurlEventsOf(events[i].events),
                                  &running);
  }
  if (rc == CURLM_OK) rc = FireTimerIfDue();
  return rc;
}

void CurlSocketLoop::Wakeup() {
  const std::uint64_t one = 1;
  // A full counter (2^64 - 2 wake-ups unread) already wakes the loop.
  [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
}

}  // namespace cnake::api
