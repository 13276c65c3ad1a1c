#include "translate/blocks.h"

#include <fmt/format.h>

#include <algorithm>

#include "translate/declarations.h"
#include "translate/expressions.h"

namespace cnake::translate {
namespace {

std::string FieldDefault(const CType& t, const TypeContext& ctx, bool* uses_field) {
  const CType r = ResolveAliases(t, ctx);
  if (!r.array_dims.empty()) {
    *uses_field = true;
    CType elem = r;
    elem.array_dims.clear();
    std::string inner = ZeroValue(elem, ctx);
    std::string value = inner.ends_with("()")
                            ? fmt::format("[{} for _ in range({})]", inner, r.array_dims.back())
                            : fmt::format("[{}] * {}", inner, r.array_dims.back());
    for (size_t k = r.array_dims.size() - 1; k-- > 0;) {
      value = fmt::format("[{} for _ in range({})]", value, r.array_dims[k]);
    }
    return fmt::format("field(default_factory=lambda: {})", value);
  }
  if (r.pointer_depth == 0 && ctx.structs.count(r.base)) {
    *uses_field = true;
    return fmt::format("field(default_factory={})", r.base);
  }
  return ZeroValue(t, ctx);
}

}  // namespace

RenderedBlock RenderStruct(const std::string& name, const std::vector<std::string>& fields,
                           bool is_union, const TypeContext& ctx) {
  RenderedBlock out;
  out.imports.insert("from dataclasses import dataclass");
  out.lines.push_back("@dataclass");
  out.lines.push_back("class " + name + ":");
  if (is_union) out.notes.push_back("union " + name + " approximated by a dataclass");
  bool uses_field = false;
  for (const std::string& f : fields) {
    const std::optional<Declaration> decl = ParseDeclaration(f);
    if (!decl) {
      out.untranslated.push_back(f);
      out.lines.push_back("    # untranslated: " + f);
      continue;
    }
    for (const Declarator& d : decl->vars) {
      std::optional<std::string> hint = MapType(d.type, ctx);
      if (!hint) hint = "object";
      if (HintNeedsLazyAnnotations(*hint)) out.lazy_annotations = true;
      out.lines.push_back(
          fmt::format("    {}: {} = {}", d.name, *hint, FieldDefault(d.type, ctx, &uses_field)));
    }
  }
  if (uses_field) out.imports.insert("from dataclasses import field");
  if (out.lines.size() == 2) out.lines.push_back("    pass");
  return out;
}

std::vector<std::string> EnumMemberNames(const std::vector<std::string>& members) {
  std::vector<std::string> names;
  for (const std::string& stmt : members) {
    for (const std::string& item : SplitTopLevel(stmt)) {
      const std::vector<Token> toks = Tokenize(item);
      if (!toks.empty() && toks[0].IsName()) names.emplace_back(toks[0].text);
    }
  }
  return names;
}

RenderedBlock RenderEnum(const std::string& name, const std::vector<std::string>& members) {
  RenderedBlock out;
  std::vector<std::pair<std::string, std::string>> values;
  std::string previous;
  long next = 0;
  bool literal = true;
  for (const std::string& stmt : members) {
    for (const std::string& item : SplitTopLevel(stmt)) {
      const std::vector<Token> toks = Tokenize(item);
      if (toks.empty() || !toks[0].IsName()) continue;
      std::string value;
      if (toks.size() >= 3 && toks[1].Is("=")) {
        value = Trim(std::string_view(item).substr(toks[2].begin));
        literal = toks.size() == 3 && toks[2].kind == TokenKind::kNumber;
        if (literal) {
          try {
            next = std::stol(value, nullptr, 0) + 1;
          } catch (...) {
            literal = false;
          }
        }
      } else {
        value = literal ? std::to_string(next++) : previous + " + 1";
      }
      previous = std::string(toks[0].text);
      values.emplace_back(previous, value);
    }
  }
  if (name.empty()) {
    for (const auto& [member, value] : values) out.lines.push_back(member + " = " + value);
    if (values.empty()) out.notes.push_back("empty anonymous enum dropped");
    return out;
  }
  out.imports.insert("from enum import IntEnum");
  out.lines.push_back("class " + name + "(IntEnum):");
  for (const auto& [member, value] : values) out.lines.push_back("    " + member + " = " + value);
  if (values.empty()) out.lines.push_back("    pass");
  // Cython puts enum members in the module namespace as well.
  if (!values.empty()) out.lines.insert(out.lines.end(), {"", ""});
  for (const auto& [member, value] : values) {
    out.lines.push_back(member + " = " + name + "." + member);
  }
  return out;
}

RenderedBlock RenderFused(const std::string& name, const std::vector<std::string>& types,
                          const TypeContext& ctx) {
  RenderedBlock out;
  std::vector<std::string> hints;
  for (const std::string& t : types) {
    std::optional<std::string> h = MapType(ParseCType(t), ctx);
    if (!h) continue;
    if (std::find(hints.begin(), hints.end(), *h) == hints.end()) hints.push_back(*h);
  }
  if (hints.size() >= 2) {
    out.imports.insert("from typing import TypeVar");
    std::string args;
    for (const std::string& h : hints) args += ", " + h;
    out.lines.push_back(fmt::format("{} = TypeVar(\"{}\"{})", name, name, args));
  } else {
    out.lines.push_back(name + " = " + (hints.empty() ? "object" : hints[0]));
  }
  out.notes.push_back("fused type " + name + " -> " + out.lines.back());
  return out;
}

RenderedBlock RenderTypedef(const std::string& body, const TypeContext& ctx) {
  RenderedBlock out;
  const std::vector<Token> toks = Tokenize(body);
  size_t n = toks.size();
  while (n > 0 && toks[n - 1].kind == TokenKind::kComment) --n;
  if (n < 2 || !toks[n - 1].IsName()) {
    out.notes.push_back("ctypedef dropped: " + body);
    return out;
  }
  const std::string name(toks[n - 1].text);
  const CType type = ParseCType(body, toks, 0, n - 1);
  const std::optional<std::string> hint = type.empty() ? std::nullopt : MapType(type, ctx);
  if (!hint || *hint == "None") {
    out.notes.push_back("ctypedef " + name + " dropped: no Python equivalent");
    return out;
  }
  out.lines.push_back(name + " = " + *hint);
  return out;
}

}  // namespace cnake::translate
