#include "api/api_paths.h"

namespace cnake::api {
namespace {

bool IsUrlSafeChar(char c) { return c > 0x20 && c < 0x7F; }

bool AllUrlSafe(std::string_view s) {
  for (char c : s) {
    if (!IsUrlSafeChar(c)) return false;
  }
  return true;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  if (!AllUrlSafe(id)) return false;
  if (id.find('/') != std::string_view::npos || id.find('\\') != std::string_view::npos) {
    return false;
  }
  return id.find("..") == std::string_view::npos;
}

std::string PercentEncodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string StatusPath(std::string_view request_id) {
  return "/status/" + PercentEncodePathSegment(request_id);
}

std::string ResultPath(std::string_view request_id) {
  return "/results/" + PercentEncodePathSegment(request_id);
}

Status ValidateBaseUrl(std::string_view base_url) {
  std::string_view rest;
  if (StartsWith(base_url, "http://")) {
    rest = base_url.substr(7);
  } else if (StartsWith(base_url, "https://")) {
    rest = base_url.substr(8);
  } else {
    return InvalidArgument("base URL must start with http:// or https://");
  }
  if (rest.empty() || rest.front() == '/') return InvalidArgument("base URL has no host");
  if (base_url.back() == '/') return InvalidArgument("base URL must not end with '/'");
  if (!AllUrlSafe(base_url)) {
    return InvalidArgument("base URL contains spaces or non-printable characters");
  }
  return Status::Ok();
}

Result<std::string> JoinUrl(std::string_view base_url, std::string_view path) {
  CNAKE_RETURN_IF_ERROR(ValidateBaseUrl(base_url));
  if (path.empty() || path.front() != '/')
    return InvalidArgument("request path must start with '/'");
  if (!AllUrlSafe(path)) {
    return InvalidArgument("request path contains spaces or non-printable characters");
  }
  std::string url;
  url.reserve(base_url.size() + path.size());
  url.append(base_url).append(path);
  return url;
}

}  // namespace cnake::api
