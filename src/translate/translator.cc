// Placeholder until the rule-based translator lands: passes the source through
// with every line marked untranslated, so the server has something to link.
#include "translate/translator.h"

#include <sstream>

namespace cnake::translate {

Translation TranslateCython(std::string_view cython_source) {
  Translation t;
  std::istringstream in{std::string(cython_source)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    t.python += "# untranslated: " + line + "\n";
    t.untranslated.push_back({n, line, "not implemented"});
  }
  return t;
}

}  // namespace cnake::translate
