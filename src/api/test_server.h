// A scripted HTTP server on 127.0.0.1 for transport tests. Test-only.
//
// It speaks exactly the bytes a test writes, so tests control what libcurl
// sees: truncated bodies, resets, drips, hangs. Each accepted connection runs
// `handler` on its own thread; the handler reads requests with ReadRequest()
// and answers with Send(). The destructor shuts every socket down (waking
// handlers blocked in recv) and joins all threads.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cnake::api::testing {

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}

  // The next request (head and Content-Length body), or nullopt on EOF/error.
  std::optional<std::string> ReadRequest() {
    std::size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    const std::size_t body_start = head_end + 4;
    const std::size_t length = ContentLength(std::string_view(buffer_).substr(0, head_end));
    while (buffer_.size() < body_start + length) {
      if (!Fill()) return std::nullopt;
    }
    std::string request = buffer_.substr(0, body_start + length);
    buffer_.erase(0, body_start + length);
    return request;
  }

  // False when the peer is gone.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Blocks until the peer closes the connection or the server stops.
  void WaitForClose() {
    while (Fill()) buffer_.clear();
  }

  // Makes the close after the handler returns an RST instead of a FIN.
  void ResetOnClose() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    reset_ = true;
  }
  bool reset() const { return reset_; }

  // Sends FIN and waits (up to a second) for the peer to close, so that
  // closing the socket cannot turn into an RST because of unread data.
  void GracefulClose() {
    ::shutdown(fd_, SHUT_WR);
    timeval tv{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    WaitForClose();
  }

 private:
  bool Fill() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  static std::size_t ContentLength(std::string_view head) {
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t pos = lower.find("\r\ncontent-length:");
    if (pos == std::string::npos) return 0;
    return std::strtoull(lower.c_str() + pos + 17, nullptr, 10);
  }

  int fd_;
  bool reset_ = false;
  std::string buffer_;
};

class ScriptedServer {
 public:
  using Handler = std::function<void(Connection&)>;

  explicit ScriptedServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      std::perror("ScriptedServer");
      std::abort();
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept() on Linux
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : workers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return accepted_.load(); }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      accepted_.fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd] {
        Connection connection(fd);
        handler_(connection);
        if (!connection.reset()) connection.GracefulClose();
        {
          std::lock_guard<std::mutex> lock(mu_);
          fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
        }
        ::close(fd);
      });
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> workers_;
};

// "HTTP/1.1 <status>" response with a Content-Length body and extra header lines.
inline std::string HttpResponse(int status, std::string_view body, std::string_view headers = "") {
  std::string out = "HTTP/1.1 " + std::to_string(status) +
                    " X\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nContent-Type: application/json\r\n";
  out.append(headers);
  out.append("\r\n");
  out.append(body);
  return out;
}

}  // namespace cnake::api::testing
