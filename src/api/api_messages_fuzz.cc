// libFuzzer target for the CnakeCharmer and chat-completion response parsers,
// the extraction of code from replies, and request-id paths: every byte string is an untrusted
// response body. They must never crash, never throw, keep their error messages short and valid
// UTF-8 (messages reach logs and the database), and only accept request ids that stay one URL path
// segment.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/api_messages.h"
#include "api/api_paths.h"
#include "api/code_extraction.h"
#include "api/openai_messages.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// A strict UTF-8 check (no overlongs, surrogates or code points > U+10FFFF).
bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void CheckError(const cnake::Status& status) {
  Check(status.code() == cnake::StatusCode::kParse);
  Check(status.message().size() <= 1024);
  Check(ValidUtf8(status.message()));
}

void CheckRequestId(const std::string& id) {
  if (!cnake::api::IsAcceptableRequestId(id)) return;
  Check(!id.empty() && id.size() <= cnake::api::kMaxRequestIdLength);
  Check(id.find('/') == std::string::npos && id.find("..") == std::string::npos);
  const std::string path = cnake::api::StatusPath(id);
  Check(path.rfind("/status/", 0) == 0 && path.find('/', 8) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  if (auto submit = cnake::api::ParseSubmitResponse(body); submit.ok()) {
    if (auto* accepted = std::get_if<cnake::api::SubmitAccepted>(&*submit)) {
      CheckRequestId(accepted->request_id);
    }
  } else {
    CheckError(submit.status());
  }

  if (auto status = cnake::api::ParseStatusResponse(body); status.ok()) {
    if (status->eta_seconds) Check(*status->eta_seconds >= 0);
  } else {
    CheckError(status.status());
  }

  if (auto result = cnake::api::ParseResultResponse(body); result.ok()) {
    if (result->python) Check(ValidUtf8(*result->python));
    for (const auto& m : result->error_messages) Check(ValidUtf8(m));
  } else {
    CheckError(result.status());
  }

  // The chat protocol: its reply parser, the code extraction, the model list.
  if (auto chat = cnake::api::ParseChatReply(body); chat.ok()) {
    Check(ValidUtf8(chat->content));
    if (auto code = cnake::api::ExtractPython(chat->content)) Check(ValidUtf8(code->code));
  } else {
    CheckError(chat.status());
  }
  if (auto code = cnake::api::ExtractPython(body)) Check(code->code.size() <= body.size() + 1);
  if (auto ids = cnake::api::ParseModelIds(body); !ids.ok()) CheckError(ids.status());

  const std::string detail = cnake::api::ParseErrorDetail(body);
  Check(detail.size() <= cnake::api::kMaxDetailLength + 3);

  // Any bytes as a request id: encoded, they are one path segment of
  // unreserved characters and %XX escapes.
  const std::string encoded = cnake::api::PercentEncodePathSegment(body);
  for (char c : encoded) {
    Check(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
          c == '~' || c == '%');
  }
  CheckRequestId(std::string(body));

  // Any bytes as source code: the request body is valid JSON.
  cnake::api::GenerateInput input;
  input.prompt = "p";
  input.source_code = std::string(body);
  input.source_id = std::string(body.substr(0, 16));
  const std::string request = cnake::api::BuildGenerateBody(input);
  Check(nlohmann::json::accept(request));
  return 0;
}
