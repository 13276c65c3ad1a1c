#include "config/prompt_template.h"

#include <fmt/format.h>

#include <algorithm>

namespace cnake {
namespace {

// Walks the template once. For each literal run calls on_text, for each
// placeholder on_field. Returns the first syntax problem.
template <typename OnText, typename OnField>
Status Walk(std::string_view tmpl, OnText on_text, OnField on_field) {
  size_t i = 0;
  while (i < tmpl.size()) {
    const char c = tmpl[i];
    if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      on_text("{");
      i += 2;
    } else if (c == '}' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      on_text("}");
      i += 2;
    } else if (c == '{') {
      const size_t close = tmpl.find('}', i + 1);
      if (close == std::string_view::npos) {
        return InvalidArgument(fmt::format("unclosed '{{' at offset {}", i));
      }
      const std::string_view name = tmpl.substr(i + 1, close - i - 1);
      const auto& known = PromptPlaceholders();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string shown(name.substr(0, 40));
        return InvalidArgument(
            fmt::format("unknown placeholder {{{}}} (known: {{description}}, {{id}}, {{tags}}, "
                        "{{code}}; "
                        "write {{{{ and }}}} for literal braces)",
                        shown));
      }
      on_field(name);
      i = close + 1;
    } else if (c == '}') {
      return InvalidArgument(
          fmt::format("unmatched '}}' at offset {} (write }}}} for a literal brace)", i));
    } else {
      const size_t next = tmpl.find_first_of("{}", i);
      const size_t end = next == std::string_view::npos ? tmpl.size() : next;
      on_text(tmpl.substr(i, end - i));
      i = end;
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& PromptPlaceholders() {
  static const std::vector<std::string> kNames = {"description", "id", "tags", "code"};
  return kNames;
}

bool UsesPlaceholder(std::string_view tmpl, std::string_view name) {
  bool used = false;
  Status status = Walk(
      tmpl, [](std::string_view) {}, [&](std::string_view field) { used |= field == name; });
  return status.ok() && used;
}

Status CheckPromptTemplate(std::string_view tmpl) {
  return Walk(
      tmpl, [](std::string_view) {}, [](std::string_view) {});
}

std::string ExpandPromptTemplate(std::string_view tmpl,
                                 const std::map<std::string, std::string>& values) {
  std::string out;
  Status status = Walk(
      tmpl, [&](std::string_view text) { out += text; },
      [&](std::string_view name) {
        auto it = values.find(std::string(name));
        if (it != values.end()) out += it->second;
      });
  (void)status;  // documented precondition: the template was checked
  return out;
}

}  // namespace cnake
