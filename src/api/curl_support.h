// The pure parts of CurlTransport, separated so they can be tested without a
// network: the CURLcode -> TransportError table, the parsing of one response
// header line, and the redaction of debug output. Thread-safe.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/transport.h"
#include "util/clock.h"

namespace cnake::api {

// What CurlTransport knows about a finished transfer besides its CURLcode.
struct TransferFacts {
  bool body_over_cap = false;  // the write callback refused data past the cap
  bool connected = false;      // CURLINFO_CONNECT_TIME_T > 0
  Duration elapsed{0};         // CURLINFO_TOTAL_TIME_T
  Duration total_timeout{0};   // CURLOPT_TIMEOUT_MS of the transfer
};

// The mapping (CURLE_OK is kNone; 3xx statuses are decided by the caller):
//   COULDNT_CONNECT                                        -> kConnectRefused
//   RECV_ERROR, SEND_ERROR, GOT_NOTHING, PARTIAL_FILE,
//     HTTP2, HTTP2_STREAM                                  -> kConnectionReset
//   OPERATION_TIMEDOUT after connecting, before the total
//     timeout (the low-speed abort)                        -> kStalled
//   OPERATION_TIMEDOUT otherwise (total or connect)        -> kTimeout
//   COULDNT_RESOLVE_HOST, COULDNT_RESOLVE_PROXY            -> kDns
//   SSL_CONNECT_ERROR, USE_SSL_FAILED                      -> kTlsHandshake
//   other SSL_*, PEER_FAILED_VERIFICATION                  -> kTls
//   WRITE_ERROR with body_over_cap, FILESIZE_EXCEEDED      -> kTooLarge
//   TOO_MANY_REDIRECTS                                     -> kRedirect
//   anything else                                          -> kOther
// PARTIAL_FILE (fewer body bytes than Content-Length, then close) is a
// connection failure: the body is unusable and a retry may succeed.
TransportError MapCurlCode(CURLcode code, const TransferFacts& facts);

// The value of a "Retry-After" header line ("Retry-After: 120\r\n", any case,
// surrounding whitespace trimmed), or nullopt for any other line. Values over
// 256 bytes are cut: a legitimate one is a number or an HTTP date.
std::optional<std::string> RetryAfterFromHeaderLine(std::string_view line);

// The (lower-case name, value) of a provider rate-limit header line
// (x-ratelimit-remaining-requests and the others of
// scheduler/rate_limit_headers.h, retry-after-ms), or nullopt for any other
// line. Values over 256 bytes are cut.
std::optional<std::pair<std::string, std::string>> ProviderLimitFromHeaderLine(
    std::string_view line);

// Debug text with every "Authorization:" header line's value replaced by
// "Bearer ***" and every occurrence of `secret` (when not empty) by "***".
std::string RedactForLog(std::string_view text, std::string_view secret);

// The version of the libcurl this process runs with, e.g. "7.88.1".
std::string LibcurlVersion();

// True when `value` can go into a header without changing the request: no
// control characters (CR/LF would inject headers) and at most 256 bytes.
bool IsSafeHeaderValue(std::string_view value);

}  // namespace cnake::api
