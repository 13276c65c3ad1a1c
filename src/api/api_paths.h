// URL paths of the CnakeCharmer API and the validation of server-chosen
// request ids before they are put into a path.
//
// A request id comes from the server's response body, so it is untrusted: a
// hostile or broken server could answer with "../admin", a 10 KB string, or
// bytes that would change the meaning of a URL. The engine checks every id with
// IsAcceptableRequestId() and records a per-entry error when it fails; the path
// builders additionally percent-encode the id so that, even if a caller skips
// the check, the id stays one path segment. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cnake::api {

inline constexpr std::string_view kGeneratePath = "/generate";
inline constexpr std::string_view kHealthPath = "/health";
inline constexpr std::size_t kMaxRequestIdLength = 256;

// True when `id` is 1..kMaxRequestIdLength bytes of printable ASCII without
// space (0x21..0x7E), contains neither '/' nor '\\' nor "..", and so can only
// ever name one resource under /status/ or /results/.
bool IsAcceptableRequestId(std::string_view id);

// Percent-encodes every byte outside RFC 3986 "unreserved" (ALPHA DIGIT - . _ ~)
// as %XX with upper-case hex digits.
std::string PercentEncodePathSegment(std::string_view segment);

// "/status/<id>" and "/results/<id>" with the id percent-encoded.
std::string StatusPath(std::string_view request_id);
std::string ResultPath(std::string_view request_id);

// base_url + path. `base_url` must be an http:// or https:// URL without a
// trailing '/'; `path` must start with '/' and be printable ASCII without
// space (callers build it with the functions above). kInvalidArgument
// otherwise, so a malformed path is never handed to libcurl.
Result<std::string> JoinUrl(std::string_view base_url, std::string_view path);

// kInvalidArgument unless `base_url` starts with http:// or https://, has a
// host, has no trailing '/', and is printable ASCII without space.
Status ValidateBaseUrl(std::string_view base_url);

}  // namespace cnake::api
