// RenderEffectiveConfig: the `config show` listing.
#include <fmt/format.h>

#include <algorithm>

#include "config/config_loader.h"
#include "config/value.h"

namespace cnake {

std::string RenderEffectiveConfig(const LoadedConfig& loaded) {
  struct Row {
    std::string key, value, source;
  };
  std::vector<Row> rows;
  size_t key_width = 0, value_width = 0;
  for (const KeyDescriptor& d : KeyTable()) {
    std::string value;
    if (d.type == ValueType::kSecret) {
      const Secret key(std::get<std::string>(d.get(loaded.config)));
      value = key.empty() ? "(unset)" : fmt::format("*** ({})", key.Fingerprint());
    } else {
      value = FormatValue(d.type, d.get(loaded.config));
      if (d.redact) value = d.redact(value);
    }
    auto it = loaded.source.find(d.path);
    rows.push_back({d.path, std::move(value), it == loaded.source.end() ? "default" : it->second});
    key_width = std::max(key_width, rows.back().key.size());
    value_width = std::max(value_width, rows.back().value.size());
  }
  value_width = std::min<size_t>(value_width, 40);  // long templates should not push all comments
  std::string out = loaded.file ? fmt::format("# config file: {}\n", *loaded.file)
                                : "# config file: none (defaults, environment and flags only)\n";
  for (const Row& row : rows) {
    out += fmt::format("{:<{}} = {:<{}}  # {}\n", row.key, key_width, row.value, value_width,
                       row.source);
  }
  return out;
}

}  // namespace cnake
