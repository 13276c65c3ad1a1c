// libFuzzer target for the pure text helpers of the importer: the docstring
// scanner and the UTF-8/id/escape checks must accept any bytes, never read
// out of bounds, and keep their output contracts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "importer/importer.h"
#include "importer/text_util.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const cnake::DocstringInfo info = cnake::ParseModuleDocstring(input);
  if (info.description) {
    Check(!info.description->empty());
    Check(cnake::importer::TrimAscii(*info.description) == *info.description);
    Check(info.description->find('\n') == std::string::npos);
  }
  for (std::size_t i = 0; i < info.tags.size(); ++i) {
    Check(!info.tags[i].empty());
    for (std::size_t j = 0; j < i; ++j) Check(info.tags[i] != info.tags[j]);
  }

  const bool valid = cnake::IsValidUtf8(input);
  const auto bad = cnake::importer::FindInvalidUtf8(input);
  Check(valid == !bad.has_value());
  if (bad) Check(*bad < size && cnake::IsValidUtf8(input.substr(0, *bad)));

  const std::string shown = cnake::importer::EscapeForDisplay(input);
  Check(cnake::IsValidUtf8(shown));
  for (const char c : shown) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);

  if (!cnake::importer::ValidateId(input)) Check(valid && !input.empty());
  return 0;
}
