#include "api/curl_transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <mutex>

#include "api/api_paths.h"
#include "api/curl_support.h"

namespace cnake::api {

struct CurlTransport::Exchange {
  const CurlTransport* owner = nullptr;
  CURL* easy = nullptr;
  Request request;  // owns the POST body libcurl reads from
  std::string url;
  curl_slist* headers = nullptr;
  std::string body;
  std::optional<std::string> retry_after;
  std::vector<std::pair<std::string, std::string>> limit_headers;
  std::size_t cap = 0;
  bool over_cap = false;
  bool out_of_memory = false;
  char error[CURL_ERROR_SIZE] = {};

  ~Exchange() { curl_slist_free_all(headers); }
};

namespace {

using Exchange = CurlTransport::Exchange;

// libcurl requires one global initialisation before any other call; since
// 7.84 it is thread-safe, the once-flag keeps older builds correct too.
bool GlobalInit() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

long ToMillis(Duration d) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return static_cast<long>(std::clamp<decltype(ms)>(ms, 1, LONG_MAX));
}

// The callbacks below run inside libcurl, which is C: nothing may throw out
// of them, so each is noexcept and catches everything.

size_t WriteBody(char* data, size_t size, size_t count, void* user) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (n > ex->cap - std::min(ex->cap, ex->body.size())) {
    ex->over_cap = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    ex->body.append(data, n);
  } catch (...) {
    ex->out_of_memory = true;
    return 0;
  }
  return n;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) noexcept {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  try {
    const std::string_view line(data, n);
    // A new status line starts a new header block (after a 1xx, or a
    // response on a reused handle): headers of an earlier block do not count.
    if (line.substr(0, 5) == "HTTP/") {
      ex->retry_after.reset();
      ex->limit_headers.clear();
    } else if (auto value = RetryAfterFromHeaderLine(line)) {
      ex->retry_after = std::move(value);
    } else if (auto header = ProviderLimitFromHeaderLine(line)) {
      // A handful at most; a hostile server repeating them gains nothing.
      if (ex->limit_headers.size() < 32) ex->limit_headers.push_back(std::move(*header));
    }
  } catch (...) {
    ex->out_of_memory = true;
    return 0;
  }
  return n;
}

int Debug(CURL* /*easy*/, curl_infotype type, char* data, size_t size, void* user) noexcept {
  const char* prefix = nullptr;
  switch (type) {
    case CURLINFO_TEXT:
      prefix = "* ";
      break;
    case CURLINFO_HEADER_IN:
      prefix = "< ";
      break;
    case CURLINFO_HEADER_OUT:
      prefix = "> ";
      break;
    default:
      return 0;  // bodies and TLS records are not logged
  }
  try {
    const auto* ex = static_cast<const Exchange*>(user);
    const std::string& key = ex->owner->options().api_key.reveal();
    std::string text = prefix + RedactForLog(std::string_view(data, size), key);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const auto& sink = ex->owner->options().debug_sink;
    if (sink) {
      sink(text);
    } else {
      spdlog::debug("curl: {}", text);
    }
  } catch (...) {
    // Logging is best effort.
  }
  return 0;
}

}  // namespace

TransportOptions TransportOptionsFromConfig(const ApiConfig& api, int max_concurrent) {
  TransportOptions options;
  options.base_url = api.base_url;
  options.api_key = api.api_key;
  options.timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(api.timeout));
  options.connect_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(api.connect_timeout));
  options.ca_file = api.ca_file;
  options.max_connections = std::max(1, max_concurrent) + 4;
  return options;
}

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(TransportOptions options) {
  CNAKE_RETURN_IF_ERROR(ValidateBaseUrl(options.base_url).WithContext("api.base_url"));
  if (!IsSafeHeaderValue(options.api_key.reveal()) ||
      options.api_key.reveal().find(' ') != std::string::npos) {
    // The key is not shown: it is secret even when malformed.
    return InvalidArgument(
        "the API key contains spaces or control characters, or is over 256 bytes");
  }
  if (options.max_response_bytes == 0)
    return InvalidArgument("the response size cap must be positive");
  std::unique_ptr<CurlTransport> transport(new CurlTransport(std::move(options)));
  CNAKE_RETURN_IF_ERROR(transport->Init());
  return transport;
}

CurlTransport::CurlTransport(TransportOptions options) : options_(std::move(options)) {
  options_.max_connections = std::max(1, options_.max_connections);
  common_headers_ = {"Accept: application/json", std::string("User-Agent: ") + kUserAgent,
                     "Expect:"};  // no 100-continue round trip on POST
  if (!options_.api_key.empty()) {
    common_headers_.push_back("Authorization: Bearer " + options_.api_key.reveal());
  }
}

Status CurlTransport::Init() {
  if (!GlobalInit()) return InternalError("curl_global_init failed");
  multi_ = curl_multi_init();
  if (multi_ == nullptr) return InternalError("curl_multi_init failed");
  const long max_conn = options_.max_connections;
  CURLMcode rc = curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  if (rc == CURLM_OK) rc = curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, max_conn);
  if (rc == CURLM_OK) rc = curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_conn);
  if (rc != CURLM_OK)
    return InternalError(std::string("curl_multi_setopt: ") + curl_multi_strerror(rc));
  return loop_.Install(multi_);
}

CurlTransport::~CurlTransport() {
  for (auto& entry : active_) {
    curl_multi_remove_handle(multi_, entry.second->easy);
    curl_easy_cleanup(entry.second->easy);
  }
  active_.clear();
  for (CURL* easy : idle_easies_) curl_easy_cleanup(easy);
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

void CurlTransport::FailNow(const Request& request, std::string error) {
  Response response;
  response.tag = request.tag;
  response.endpoint = request.endpoint;
  response.transport = TransportError::kOther;
  response.error = std::move(error);
  ready_.push_back(std::move(response));
}

CURL* CurlTransport::AcquireEasy() {
  if (idle_easies_.empty()) return curl_easy_init();
  CURL* easy = idle_easies_.back();
  idle_easies_.pop_back();
  return easy;
}

void CurlTransport::ReleaseEasy(CURL* easy) {
  // Reset drops every option (and so every pointer into the finished
  // Exchange) but keeps the handle's caches; connections live in the multi.
  curl_easy_reset(easy);
  if (idle_easies_.size() < static_cast<std::size_t>(options_.max_connections) * 2) {
    idle_easies_.push_back(easy);
  } else {
    curl_easy_cleanup(easy);
  }
}

void CurlTransport::Start(const Request& request) {
  auto url = JoinUrl(options_.base_url, request.path);
  if (!url.ok()) return FailNow(request, url.status().message());
  if (!IsSafeHeaderValue(request.idempotency_key)) {
    return FailNow(request, "Idempotency-Key contains control characters or is over 256 bytes");
  }
  auto exchange = std::make_unique<Exchange>();
  exchange->owner = this;
  exchange->request = request;
  exchange->url = std::move(url).value();
  exchange->cap = options_.max_response_bytes;
  exchange->easy = AcquireEasy();
  if (exchange->easy == nullptr) return FailNow(request, "curl_easy_init failed");
  if (!Configure(exchange->easy, exchange.get())) {
    std::string error = std::string("cannot configure the request: ") + exchange->error;
    ReleaseEasy(exchange->easy);
    return FailNow(request, std::move(error));
  }
  const CURLMcode rc = curl_multi_add_handle(multi_, exchange->easy);
  if (rc != CURLM_OK) {
    ReleaseEasy(exchange->easy);
    return FailNow(request, std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
  }
  const Exchange* key = exchange.get();
  active_.emplace(key, std::move(exchange));
}

bool CurlTransport::Configure(CURL* easy, Exchange* ex) {
  const bool post = ex->request.endpoint == Endpoint::kSubmit;
  for (const std::string& h : common_headers_)
    ex->headers = curl_slist_append(ex->headers, h.c_str());
  if (post) ex->headers = curl_slist_append(ex->headers, "Content-Type: application/json");
  if (post && !ex->request.idempotency_key.empty()) {
    const std::string h = "Idempotency-Key: " + ex->request.idempotency_key;
    ex->headers = curl_slist_append(ex->headers, h.c_str());
  }
  if (ex->headers == nullptr) {
    std::snprintf(ex->error, sizeof ex->error, "out of memory");
    return false;
  }

  CURLcode rc = CURLE_OK;
  // Every option value is passed with the type libcurl reads (long,
  // curl_off_t, pointer): setopt is variadic, and a mismatch is undefined.
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_ERRORBUFFER, ex->error);
  set(CURLOPT_PRIVATE, static_cast<void*>(ex));
  set(CURLOPT_URL, ex->url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Over TLS, prefer a new stream on an HTTP/2 connection being set up: ALPN
  // says during the handshake whether it multiplexes. Over plain http the
  // answer would come only with the first response, and every other request
  // would wait for it (a chat completion can take minutes).
  if (ex->url.rfind("https://", 0) == 0) set(CURLOPT_PIPEWAIT, 1L);
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_TCP_KEEPIDLE, 60L);
  set(CURLOPT_TCP_KEEPINTVL, 30L);
  set(CURLOPT_CONNECTTIMEOUT_MS, ToMillis(options_.connect_timeout));
  const std::optional<Duration>& silent = ex->request.silent_timeout;
  set(CURLOPT_TIMEOUT_MS, ToMillis(silent ? *silent : options_.timeout));
  // A server that answers only when done sends nothing for minutes: the stall
  // check would abort it. TCP keep-alive (below) still notices a dead peer.
  set(CURLOPT_LOW_SPEED_LIMIT, silent ? 0L : options_.low_speed_limit);
  set(CURLOPT_LOW_SPEED_TIME, silent ? 0L : static_cast<long>(options_.low_speed_time.count()));
  // Rejects a declared Content-Length over the cap before any body arrives;
  // the write callback enforces the cap on decoded bytes.
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
  // Asks for no compression: answers are a few KiB of JSON, and compressing
  // them cost the reference server more CPU than the bytes saved (gzip was
  // about a third of its CPU per answer for us and absent for the Node client,
  // which does not ask; brotli, which "" would offer, cost 3 ms an answer).
  // Any non-NULL value keeps decoding on, so a server that compresses unasked
  // is still read, within the decoded-size cap.
  set(CURLOPT_ACCEPT_ENCODING, "identity");
  set(CURLOPT_WRITEFUNCTION, &WriteBody);
  set(CURLOPT_WRITEDATA, static_cast<void*>(ex));
  set(CURLOPT_HEADERFUNCTION, &ReadHeader);
  set(CURLOPT_HEADERDATA, static_cast<void*>(ex));
  set(CURLOPT_HTTPHEADER, ex->headers);
  set(CURLOPT_SSL_VERIFYPEER, options_.insecure ? 0L : 1L);
  set(CURLOPT_SSL_VERIFYHOST, options_.insecure ? 0L : 2L);
  if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
  if (post) {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDS, ex->request.body.data());
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(ex->request.body.size()));
  } else {
    set(CURLOPT_HTTPGET, 1L);
  }
  if (options_.verbose) {
    set(CURLOPT_DEBUGFUNCTION, &Debug);
    set(CURLOPT_DEBUGDATA, static_cast<void*>(ex));
    set(CURLOPT_VERBOSE, 1L);
  }
  if (rc != CURLE_OK && ex->error[0] == '\0') {
    std::snprintf(ex->error, sizeof ex->error, "%s", curl_easy_strerror(rc));
  }
  return rc == CURLE_OK;
}

std::vector<Response> CurlTransport::Poll(Duration max_wait) {
  std::vector<Response> done = std::move(ready_);
  ready_.clear();
  CURLMcode rc = loop_.Run(0);
  CollectFinished(&done);
  if (done.empty() && rc == CURLM_OK) {
    const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(max_wait).count();
    rc = loop_.Run(static_cast<int>(std::clamp<decltype(wait_ms)>(wait_ms, 0, INT_MAX)));
    CollectFinished(&done);
  }
  if (rc != CURLM_OK) spdlog::warn("libcurl multi interface: {}", curl_multi_strerror(rc));
  return done;
}

void CurlTransport::Wakeup() { loop_.Wakeup(); }

void CurlTransport::CollectFinished(std::vector<Response>* done) {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // msg dies with curl_multi_remove_handle: copy what is needed first.
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    char* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    auto* ex = reinterpret_cast<Exchange*>(priv);
    done->push_back(Finish(easy, ex, code));
    curl_multi_remove_handle(multi_, easy);
    ReleaseEasy(easy);
    active_.erase(ex);
  }
}

Response CurlTransport::Finish(CURL* easy, Exchange* ex, CURLcode code) {
  Response response;
  response.tag = ex->request.tag;
  response.endpoint = ex->request.endpoint;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  response.http_status = static_cast<int>(status);
  curl_off_t total_us = 0;
  curl_off_t connect_us = 0;
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
  response.latency = std::chrono::microseconds(total_us);
  response.retry_after = std::move(ex->retry_after);
  response.limit_headers = std::move(ex->limit_headers);

  TransferFacts facts;
  facts.body_over_cap = ex->over_cap;
  facts.connected = connect_us > 0;
  facts.elapsed = response.latency;
  facts.total_timeout = std::chrono::milliseconds(
      ToMillis(ex->request.silent_timeout ? *ex->request.silent_timeout : options_.timeout));
  response.transport = MapCurlCode(code, facts);

  if (response.transport == TransportError::kNone && status >= 300 && status < 400) {
    response.transport = TransportError::kRedirect;
    char* location = nullptr;
    curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location);
    response.error = "HTTP " + std::to_string(status) + " redirect not followed";
    if (location != nullptr) response.error += " (to " + std::string(location).substr(0, 200) + ")";
  } else if (response.transport == TransportError::kTooLarge) {
    response.error = "response body over " + std::to_string(options_.max_response_bytes) + " bytes";
  } else if (ex->out_of_memory) {
    response.transport = TransportError::kOther;
    response.error = "out of memory while receiving the response";
  } else if (code != CURLE_OK) {
    response.error = ex->error[0] != '\0' ? ex->error : curl_easy_strerror(code);
    response.error += std::string(" [") + curl_easy_strerror(code) + "]";
  }
  if (response.transport == TransportError::kNone) {
    response.body = std::move(ex->body);
  } else {
    response.error = RedactForLog(response.error, options_.api_key.reveal());
  }
  return response;
}

}  // namespace cnake::api
