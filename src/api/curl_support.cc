#include "api/curl_support.h"

#include <strings.h>

#include <cctype>
#include <chrono>

#include "scheduler/rate_limit_headers.h"

namespace cnake::api {
namespace {

constexpr std::size_t kMaxRetryAfterLength = 256;
// A low-speed abort ends before the total timeout; a total timeout ends at or
// just after it. The margin absorbs curl's millisecond rounding.
constexpr Duration kTimeoutMargin = std::chrono::milliseconds(20);

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

void ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (std::size_t pos = text->find(from); pos != std::string::npos;
       pos = text->find(from, pos + to.size())) {
    text->replace(pos, from.size(), to);
  }
}

}  // namespace

TransportError MapCurlCode(CURLcode code, const TransferFacts& facts) {
  if (IsTlsError(code)) return TransportError::kTls;
  // No TLS session came about (with OpenSSL a refused certificate is
  // PEER_FAILED_VERIFICATION instead): typically a port that does not speak
  // TLS, such as a plain-HTTP server behind an https:// URL.
  if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_USE_SSL_FAILED) {
    return TransportError::kTlsHandshake;
  }
  switch (code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_COULDNT_CONNECT:
      return TransportError::kConnectRefused;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::kConnectionReset;
    case CURLE_OPERATION_TIMEDOUT:
      if (facts.connected && facts.elapsed + kTimeoutMargin < facts.total_timeout) {
        return TransportError::kStalled;
      }
      return TransportError::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kDns;
    case CURLE_WRITE_ERROR:
      return facts.body_over_cap ? TransportError::kTooLarge : TransportError::kOther;
    case CURLE_FILESIZE_EXCEEDED:
      return TransportError::kTooLarge;
    case CURLE_TOO_MANY_REDIRECTS:
      return TransportError::kRedirect;
    default:
      return TransportError::kOther;
  }
}

std::optional<std::string> RetryAfterFromHeaderLine(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  if (!EqualsIgnoreCase(Trim(line.substr(0, colon)), "retry-after")) return std::nullopt;
  return std::string(Trim(line.substr(colon + 1)).substr(0, kMaxRetryAfterLength));
}

std::optional<std::pair<std::string, std::string>> ProviderLimitFromHeaderLine(
    std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = Trim(line.substr(0, colon));
  if (!scheduler::IsProviderLimitHeader(name)) return std::nullopt;
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::make_pair(std::move(lower),
                        std::string(Trim(line.substr(colon + 1)).substr(0, kMaxRetryAfterLength)));
}

std::string RedactForLog(std::string_view text, std::string_view secret) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol == std::string_view::npos ? text.size() : eol + 1);
    text.remove_prefix(line.size());
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(Trim(line.substr(0, colon)), "authorization")) {
      out.append(line.substr(0, colon)).append(": Bearer ***");
      if (line.back() == '\n')
        out.append(line.size() >= 2 && line[line.size() - 2] == '\r' ? "\r\n" : "\n");
      continue;
    }
    out.append(line);
  }
  ReplaceAll(&out, secret, "***");
  return out;
}

bool IsSafeHeaderValue(std::string_view value) {
  if (value.size() > 256) return false;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
  }
  return true;
}

std::string LibcurlVersion() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  return info && info->version ? info->version : "unknown";
}

}  // namespace cnake::api
