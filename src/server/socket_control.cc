#include "server/socket_control.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cnake::server {
namespace {

// One line of /proc/self/net/tcp{,6}: "sl local rem st ... inode ...", the
// addresses as hex words of the in-kernel (network-order) bytes, the port as
// hex in host order.
struct ProcSocket {
  std::string local_ip, remote_ip;
  int local_port = -1, remote_port = -1;
  unsigned long inode = 0;
};

bool ParseEndpoint(const std::string& hex, std::string* ip, int* port) {
  const auto colon = hex.find(':');
  if (colon == std::string::npos) return false;
  const std::string addr = hex.substr(0, colon);
  unsigned char raw[16] = {};
  const std::size_t words = addr.size() / 8;
  if ((words != 1 && words != 4) || addr.size() % 8 != 0) return false;
  for (std::size_t w = 0; w < words; ++w) {
    // The kernel prints each 32-bit word as loaded from memory (%08X), so
    // storing the parsed value back restores the original bytes.
    const auto value =
        static_cast<std::uint32_t>(std::strtoul(addr.substr(w * 8, 8).c_str(), nullptr, 16));
    std::memcpy(raw + w * 4, &value, sizeof(value));
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(words == 1 ? AF_INET : AF_INET6, raw, text, sizeof(text)) == nullptr) return false;
  *ip = text;
  *port = static_cast<int>(std::strtol(hex.c_str() + colon + 1, nullptr, 16));
  return true;
}

// The inode of the socket with these endpoints, or 0 (also for sockets
// without one, e.g. in TIME_WAIT).
unsigned long FindSocketInode(const std::string& local_addr, int local_port,
                              const std::string& remote_addr, int remote_port) {
  for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, skip;
      ProcSocket s;
      fields >> slot >> local >> remote;
      for (int i = 0; i < 6; ++i) fields >> skip;  // st, queues, timers, retrnsmt, uid, timeout
      fields >> s.inode;
      if (!fields || s.inode == 0) continue;
      if (!ParseEndpoint(local, &s.local_ip, &s.local_port) ||
          !ParseEndpoint(remote, &s.remote_ip, &s.remote_port)) {
        continue;
      }
      if (s.local_port == local_port && s.remote_port == remote_port && s.local_ip == local_addr &&
          s.remote_ip == remote_addr) {
        return s.inode;
      }
    }
  }
  return 0;
}

}  // namespace

// Identifies the socket by inode and the fd by its /proc link, without any
// call on the descriptors themselves: the other fds of the process belong to
// other threads, which may close them at any moment (an fstat racing with a
// close is a data race on the descriptor, reported by ThreadSanitizer).
int FindConnectionFd(const std::string& local_addr, int local_port, const std::string& remote_addr,
                     int remote_port) {
  const unsigned long inode = FindSocketInode(local_addr, local_port, remote_addr, remote_port);
  if (inode == 0) return -1;
  const std::string want = "socket:[" + std::to_string(inode) + "]";
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    const std::string path = std::string("/proc/self/fd/") + entry->d_name;
    char target[64] = {};
    const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    if (n > 0 && want.compare(0, std::string::npos, target, static_cast<std::size_t>(n)) == 0) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(dir);
  return found;
}

void ResetConnection(int fd) {
  if (fd < 0) return;
  const linger abort_on_close{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  // Disconnecting an established TCP socket sends RST and drops unsent data.
  connect(fd, &unspec, sizeof(unspec));
}

bool WaitForPeerClose(int fd, std::chrono::milliseconds max_wait, StopSignal* stop) {
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fd >= 0) {
      pollfd p{fd, POLLRDHUP, 0};
      if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return true;
    }
    if (stop->WaitFor(std::chrono::milliseconds(50))) return false;
  }
  return false;
}

void ShutdownConnection(int fd) {
  if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

}  // namespace cnake::server
