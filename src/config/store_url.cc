#include "config/store_url.h"

#include <libpq-fe.h>

#include <memory>

namespace cnake {
namespace {

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

bool IsUri(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// libpq's reading of the URL, or null (with `error` set) when it refuses it.
Options Parse(const std::string& url, std::string* error) {
  char* message = nullptr;
  Options options(PQconninfoParse(url.c_str(), &message), PQconninfoFree);
  if (message != nullptr) {
    if (error != nullptr) *error = message;
    PQfreemem(message);
  }
  return options;
}

}  // namespace

std::string StoreUrlProblem(const std::string& url) {
  if (url.empty()) return "";
  if (!IsUri(url)) return "is not a postgresql:// URL";
  std::string error;
  if (!Parse(url, &error)) {
    // libpq's message may quote the URL: say only what kind of problem it is.
    return "is not a URL libpq accepts (check its syntax and parameter names)";
  }
  return "";
}

bool StoreUrlHasPassword(const std::string& url) {
  if (!IsUri(url)) return false;
  Options options = Parse(url, nullptr);
  if (!options) return url.find('@') != std::string::npos;  // unparsable: assume the worst
  for (PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (std::string(o->keyword) == "password" && o->val != nullptr && *o->val != '\0') return true;
  }
  return false;
}

std::string RedactStoreUrl(const std::string& url) {
  std::string out = url;
  const std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t end = out.find_first_of("/?", start);
    const std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t p = out.find("password="); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    const std::size_t value = p + 9;
    const std::size_t end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

}  // namespace cnake
