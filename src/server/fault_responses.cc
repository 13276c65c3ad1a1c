#include "server/fault_responses.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <thread>

#include "server/chat_contract.h"
#include "server/contract.h"
#include "server/gzip_bomb.h"
#include "server/socket_control.h"

namespace cnake::server {
namespace {

using nlohmann::json;

constexpr char kJson[] = "application/json";
constexpr char kInvalidUtf8Marker[] = "@@cnake-invalid-utf8@@";

int ConnectionFd(const FaultContext& ctx) {
  const httplib::Request& req = *ctx.request;
  return FindConnectionFd(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
}

void SetJson(httplib::Response* res, int status, const json& body) {
  res->status = status;
  res->set_content(Dump(body), kJson);
}

// Streams `body` with an honest Content-Length, one byte per interval.
void SlowDrip(const FaultContext& ctx, int status, std::string body, httplib::Response* res) {
  res->status = status;
  auto shared = std::make_shared<std::string>(std::move(body));
  const Micros interval = ctx.params->drip_interval;
  StopSignal* stop = ctx.stop;
  res->set_content_provider(
      shared->size(), kJson,
      [shared, interval, stop](size_t offset, size_t, httplib::DataSink& sink) {
        if (stop->WaitFor(interval)) return false;
        return sink.write(shared->data() + offset, 1);
      });
}

// Streams `size` bytes of `{"request_id":"xxx...x"}` (with or without a length).
void HugeBody(uint64_t size, bool chunked, httplib::Response* res) {
  static const std::string kHead = R"({"request_id":")";
  static const std::string kTail = R"("})";
  size = std::max<uint64_t>(size, kHead.size() + kTail.size());
  res->status = 200;
  auto provide = [size](size_t offset, httplib::DataSink& sink) {
    static const std::string kFill(65536, 'x');
    if (offset == 0) return sink.write(kHead.data(), kHead.size());
    const uint64_t body_end = size - kTail.size();
    if (offset < body_end) {
      return sink.write(kFill.data(),
                        static_cast<size_t>(std::min<uint64_t>(kFill.size(), body_end - offset)));
    }
    if (offset < size) return sink.write(kTail.data(), kTail.size());
    sink.done();
    return true;
  };
  if (chunked) {
    res->set_chunked_content_provider(kJson, provide);
  } else {
    res->set_content_provider(static_cast<size_t>(size), kJson,
                              [provide](size_t offset, size_t, httplib::DataSink& sink) {
                                return provide(offset, sink);
                              });
  }
}

// The real body with an extra hostile string: in the generated python for
// /results, in request_id otherwise.
std::string Poisoned(const FaultContext& ctx, json body, const std::string& extra) {
  if (ctx.endpoint == Endpoint::kResults && body.contains("generated_code") &&
      body["generated_code"].is_object()) {
    body["generated_code"]["python"] = body["generated_code"].value("python", "") + extra;
  } else if (body.contains("choices") && body["choices"].is_array() && !body["choices"].empty() &&
             body["choices"][0].contains("message")) {
    json& message = body["choices"][0]["message"];
    message["content"] = message.value("content", "") + extra;
  } else if (body.contains("request_id") && body["request_id"].is_string()) {
    body["request_id"] = body["request_id"].get<std::string>() + extra;
  } else {
    body["note"] = extra;
  }
  return Dump(body);
}

// The error body in the protocol's shape: FastAPI's {"detail"} or OpenAI's
// {"error": {"message", "type", "param", "code"}}.
json ErrorBody(const FaultContext& ctx, std::string_view detail, std::string_view openai_type,
               const json& openai_code = nullptr) {
  return ctx.openai ? OpenAiError(detail, openai_type, nullptr, openai_code) : DetailJson(detail);
}

int StatusFault(Fault fault, const FaultContext& ctx, httplib::Response* res) {
  switch (fault) {
    case Fault::kStatus429: {
      const FaultParams& p = *ctx.params;
      const bool as_date =
          p.retry_after_form == RetryAfterForm::kHttpDate ||
          (p.retry_after_form == RetryAfterForm::kAlternate && ((ctx.decision_hash >> 7) & 1));
      res->set_header("Retry-After", as_date ? FormatHttpDate(ctx.clock->WallNow() +
                                                              std::chrono::seconds(p.retry_after_s))
                                             : std::to_string(p.retry_after_s));
      if (ctx.openai) {  // as OpenAI: the headers say what ran out and when it is back
        res->set_header("x-ratelimit-remaining-requests", "0");
        res->set_header("x-ratelimit-reset-requests",
                        FormatResetDuration(std::chrono::seconds(p.retry_after_s)));
      }
      SetJson(res, 429,
              ctx.openai ? OpenAiError("Rate limit reached for requests", "requests", nullptr,
                                       "rate_limit_exceeded")
                         : DetailJson("Too Many Requests"));
      return 429;
    }
    case Fault::kInsufficientQuota:
      SetJson(res, 429,
              OpenAiError("You exceeded your current quota, please check your plan and billing "
                          "details.",
                          "insufficient_quota", nullptr, "insufficient_quota"));
      return 429;
    case Fault::kStatus500:
      // Starlette's ServerErrorMiddleware answers plain text, not JSON.
      res->status = 500;
      res->set_content("Internal Server Error", "text/plain; charset=utf-8");
      return 500;
    case Fault::kStatus502:
      res->status = 502;
      res->set_content(
          "<html><head><title>502 Bad Gateway</title></head><body>"
          "<center><h1>502 Bad Gateway</h1></center></body></html>\n",
          "text/html");
      return 502;
    case Fault::kStatus503:
      res->set_header("Retry-After", std::to_string(ctx.params->retry_after_s));
      SetJson(res, 503, ErrorBody(ctx, "Service Unavailable", "server_error"));
      return 503;
    case Fault::kStatus504:
      res->status = 504;
      res->set_content(
          "<html><head><title>504 Gateway Time-out</title></head><body>"
          "<center><h1>504 Gateway Time-out</h1></center></body></html>\n",
          "text/html");
      return 504;
    case Fault::kStatus401:
      res->set_header("WWW-Authenticate", "Bearer");
      SetJson(res, 401, ErrorBody(ctx, "Not authenticated", "invalid_request_error",
                                  "invalid_api_key"));
      return 401;
    case Fault::kStatus400:
      SetJson(res, 400, ErrorBody(ctx, "Bad Request", "invalid_request_error"));
      return 400;
    case Fault::kStatus422:
      SetJson(res, 422,
              ctx.openai ? OpenAiError("Value error, injected validation failure",
                                       "invalid_request_error")
                         : ValidationError(json::array({"body"}),
                                           "Value error, injected validation failure",
                                           "value_error"));
      return 422;
    default:
      return -1;
  }
}

}  // namespace

std::string FormatHttpDate(WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

int ApplyFault(Fault fault, const FaultContext& ctx, int real_status, const json& real_body,
               httplib::Response* res) {
  if (const int status = StatusFault(fault, ctx, res); status >= 0) return status;
  const FaultParams& p = *ctx.params;
  const std::string real_text = Dump(real_body);
  switch (fault) {
    case Fault::kHang: {
      const int fd = ConnectionFd(ctx);
      WaitForPeerClose(fd, std::chrono::duration_cast<std::chrono::milliseconds>(p.hang_max),
                       ctx.stop);
      ShutdownConnection(fd);
      return 0;
    }
    case Fault::kResetBefore:
      ResetConnection(ConnectionFd(ctx));
      return 0;
    case Fault::kResetMid:
    case Fault::kTruncated: {
      const int fd = fault == Fault::kResetMid ? ConnectionFd(ctx) : -1;
      auto body = std::make_shared<std::string>(real_text);
      const double fraction = fault == Fault::kResetMid ? 0.5 : p.truncate_fraction;
      const size_t cut = std::min(body->size() - 1, static_cast<size_t>(body->size() * fraction));
      res->status = real_status;
      res->set_content_provider(body->size(), kJson,
                                [body, cut, fd](size_t, size_t, httplib::DataSink& sink) {
                                  if (cut > 0) sink.write(body->data(), cut);
                                  if (fd >= 0) {
                                    // Let the partial body reach the peer before the RST.
                                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                    ResetConnection(fd);
                                  }
                                  return false;  // the library closes the connection
                                });
      return real_status;
    }
    case Fault::kMalformedJson:
      res->status = real_status;
      res->set_content(real_text.substr(0, real_text.size() / 2) + ",,]}{", kJson);
      return real_status;
    case Fault::kOversized:
      HugeBody(p.oversized_bytes, /*chunked=*/false, res);
      return 200;
    case Fault::kHugeChunked:
      HugeBody(p.huge_chunked_bytes, /*chunked=*/true, res);
      return 200;
    case Fault::kSlowDrip:
      SlowDrip(ctx, real_status, real_text, res);
      return real_status;
    case Fault::kGzipBomb: {
      auto bomb = GzipBomb::ForSize(p.gzip_bomb_bytes);
      res->status = real_status;
      res->set_header("Content-Encoding", "gzip");
      res->set_content_provider(
          bomb->compressed_size(), kJson,
          [bomb](size_t, size_t, httplib::DataSink& sink) { return bomb->WriteTo(sink.write); });
      return real_status;
    }
    case Fault::kDeepNesting: {
      std::string body =
          R"({"request_id":")" + real_body.value("request_id", std::string()) + R"(","status":)";
      body.append(p.nesting_depth, '[');
      body.append(p.nesting_depth, ']');
      body += '}';
      res->status = real_status;
      res->set_content(body, kJson);
      return real_status;
    }
    case Fault::kInvalidUtf8: {
      std::string body = Poisoned(ctx, real_body, kInvalidUtf8Marker);
      const size_t at = body.find(kInvalidUtf8Marker);
      if (at != std::string::npos)
        body.replace(at, sizeof(kInvalidUtf8Marker) - 1, "\xff\xfe\xc3\x28");
      res->status = real_status;
      res->set_content(body, kJson);
      return real_status;
    }
    case Fault::kNulBytes:
      res->status = real_status;
      res->set_content(Poisoned(ctx, real_body, std::string("\0nul\0", 5)), kJson);
      return real_status;
    case Fault::kRedirect: {
      std::string location = p.redirect_base + ctx.request->path;
      res->set_header("Location", location);
      SetJson(res, 307, DetailJson("Temporary Redirect"));
      return 307;
    }
    case Fault::kEvilRequestId:
      SetJson(res, 200, AcceptedJson("../x"));
      return 200;
    case Fault::kHugeRequestId:
      SetJson(res, 200, AcceptedJson(std::string(p.huge_request_id_bytes, 'a')));
      return 200;
    default:
      SetJson(res, real_status, real_body);
      return real_status;
  }
}

}  // namespace cnake::server
