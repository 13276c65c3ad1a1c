// Raw control of a connection that cpp-httplib is serving, for the faults the
// library cannot express (a TCP reset, a hang that ends when the peer leaves).
//
// cpp-httplib 0.11 does not hand the socket to handlers, but each connection is
// served start to finish by one pool thread, so inside a handler the
// connection's fd is stable and owned by the calling thread. FindConnectionFd
// locates it by its (local, remote) address pair among the process's open
// sockets. The functions below never close the fd (the library does that), so
// there is no double close and no fd-reuse race.
#pragma once

#include <chrono>
#include <string>

#include "server/stop_signal.h"

namespace cnake::server {

// The fd of the TCP connection with these endpoints, or -1.
int FindConnectionFd(const std::string& local_addr, int local_port, const std::string& remote_addr,
                     int remote_port);

// Sends a TCP RST now and detaches the socket from the peer (connect with
// AF_UNSPEC); later writes by the library fail quietly (SIGPIPE must be
// ignored, HttpServer does that).
void ResetConnection(int fd);

// Blocks until the peer closes its side, `max_wait` passes, or `stop` fires.
// Returns true if the peer closed.
bool WaitForPeerClose(int fd, std::chrono::milliseconds max_wait, StopSignal* stop);

// Sends FIN in both directions without closing the fd.
void ShutdownConnection(int fd);

}  // namespace cnake::server
