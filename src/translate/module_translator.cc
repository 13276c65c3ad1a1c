#include "translate/module_translator.h"

#include <fmt/format.h>

#include <algorithm>

#include "translate/blocks.h"
#include "translate/c_semantics.h"
#include "translate/cimports.h"
#include "translate/declarations.h"
#include "translate/module_scan.h"
#include "translate/postprocess.h"
#include "translate/statements.h"

namespace cnake::translate {
namespace {

// Python never starts a statement with two names unless the first is a
// keyword; C declarations ("double x", "unsigned int n", "struct s:") do.
bool LooksLikeCDeclaration(std::string_view body) {
  static const std::set<std::string_view> kKeywords = {
      "False",   "None",     "True",     "and",    "as",   "assert", "async",  "await",
      "break",   "class",    "continue", "def",    "del",  "elif",   "else",   "except",
      "finally", "for",      "from",     "global", "if",   "import", "in",     "is",
      "lambda",  "nonlocal", "not",      "or",     "pass", "raise",  "return", "try",
      "while",   "with",     "yield",    "match",  "case", "type",   "print",  "exec"};
  const std::vector<Token> toks = Tokenize(body);
  return toks.size() >= 2 && toks[0].IsName() && toks[1].IsName() && !kKeywords.count(toks[0].text);
}

}  // namespace

ModuleTranslator::ModuleTranslator(std::string_view source)
    : source_(source), lines_(SplitLogicalLines(source_)) {
  ModuleScan scan = ScanModule(lines_);
  types_ = std::move(scan.types);
  python_numpy_aliases_ = std::move(scan.python_numpy_aliases);
  for (const std::string& alias : python_numpy_aliases_) types_.numpy_aliases.insert(alias);
  functions_ = std::move(scan.functions);
  env_.types = &types_;
  env_.notes = &result_.notes;
  env_.functions = &functions_;
  env_.c_names = &c_names_;
  env_.helpers = &helpers_;
  env_.imports = &imports_;
  env_.cdivision = scan.cdivision;
  env_.true_division = !scan.language_level_2;
  stack_.push_back(Frame{});
}

Translation ModuleTranslator::Run() {
  for (const LogicalLine& ll : lines_) {
    if (ll.IsBlankOrComment()) {
      ProcessComment(ll);
    } else {
      Process(ll);
    }
  }
  PopFrames(-1);
  pending_blanks_ = 0;
  std::string text;
  for (const std::string& chunk : out_) text += chunk + "\n";
  std::vector<std::string> imports;
  if (lazy_annotations_) imports.push_back("from __future__ import annotations");
  for (const auto& [module, names] : imports_) {
    if (module.empty()) {  // plain `import x` lines
      for (const std::string& n : names) imports.push_back("import " + n);
      continue;
    }
    std::string joined;
    for (const std::string& n : names) joined += (joined.empty() ? "" : ", ") + n;
    imports.push_back(fmt::format("from {} import {}", module, joined));
  }
  AppendHelpers(&imports);
  text = InsertImports(CollapseBlankLines(FillEmptyBlocks(text)), imports);
  result_.python = std::move(text);
  // Notes are deduplicated but keep first-seen order.
  std::vector<std::string> notes;
  std::set<std::string> seen;
  for (std::string& n : result_.notes) {
    if (seen.insert(n).second) notes.push_back(std::move(n));
  }
  result_.notes = std::move(notes);
  return std::move(result_);
}

// ---- frames and emission ------------------------------------------------

int ModuleTranslator::TotalDedent() const {
  int total = 0;
  for (const Frame& f : stack_) total += f.dedent;
  return total;
}

std::string ModuleTranslator::OutIndent(const LogicalLine& ll) const {
  const int dedent = TotalDedent();
  if (dedent == 0) return ll.indent;
  const int width = std::max(0, ll.Width() - dedent);
  // Tab-indented sources stay tab-indented, or Python rejects the mix.
  if (ll.indent.find('\t') != std::string::npos) {
    return std::string(width / 8, '\t') + std::string(width % 8, ' ');
  }
  return std::string(width, ' ');
}

void ModuleTranslator::EmitAt(const std::string& indent, const std::string& text) {
  out_.push_back(indent + DedentContinuations(text, TotalDedent()));
}

void ModuleTranslator::Emit(const LogicalLine& ll, const std::string& text) {
  EmitAt(OutIndent(ll), text);
}

void ModuleTranslator::EmitUntranslated(const LogicalLine& ll, const std::string& reason) {
  const std::string indent = OutIndent(ll);
  size_t start = 0;
  bool first = true;
  while (start <= ll.body.size()) {
    size_t nl = ll.body.find('\n', start);
    std::string piece =
        ll.body.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!first) {
      // Continuation lines keep their indentation relative to the statement.
      const size_t drop = std::min(piece.find_first_not_of(' '), ll.indent.size());
      piece = piece.substr(drop == std::string::npos ? 0 : drop);
    }
    out_.push_back(indent + "# untranslated: " + piece);
    first = false;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  result_.untranslated.push_back({ll.first_line, ll.body, reason});
}

void ModuleTranslator::EmitUntranslatedBlock(const LogicalLine& ll, const std::string& reason) {
  EmitUntranslated(ll, reason);
  if (ll.OpensBlock()) {
    Frame f;
    f.kind = FrameKind::kCommentOut;
    f.header_width = ll.Width();
    f.name = reason;
    Push(std::move(f));
  }
}

void ModuleTranslator::EmitRewritten(const LogicalLine& ll, const std::string& body) {
  if (LooksLikeCDeclaration(body)) {
    EmitUntranslatedBlock(ll, "C declaration outside a cdef context");
    return;
  }
  ExprResult r = RewriteExpression(ApplyCSemantics(body, env_), env_);
  if (!r.failure.empty()) {
    EmitUntranslatedBlock(ll, r.failure);
    return;
  }
  Emit(ll, r.text);
  if (ll.OpensBlock()) {
    Frame f;
    f.kind = FrameKind::kBlock;
    f.header_width = ll.Width();
    Push(std::move(f));
  }
}

void ModuleTranslator::AppendHelpers(std::vector<std::string>* imports) const {
  const std::vector<std::string> defs = HelperDefinitions(helpers_);
  if (defs.empty()) return;
  for (const std::string& m : HelperImports(helpers_)) imports->push_back("import " + m);
  const bool after_imports = std::any_of(imports->begin(), imports->end(), [](const auto& i) {
    return i.rfind("from __future__", 0) != 0;
  });
  if (after_imports) imports->insert(imports->end(), {"", ""});
  imports->insert(imports->end(), defs.begin(), defs.end() - 2);
}

void ModuleTranslator::Push(Frame f) {
  f.saved_pointers = env_.pointer_names;
  f.saved_memviews = env_.memview_dims;
  f.saved_var_types = env_.var_types;
  f.saved_boxed = env_.boxed;
  f.saved_return_type = env_.return_type;
  f.saved_cdivision = env_.cdivision;
  stack_.push_back(std::move(f));
}

void ModuleTranslator::PopFrames(int width) {
  while (stack_.size() > 1 && (width < 0 || width <= stack_.back().header_width)) PopFrame();
}

void ModuleTranslator::PopFrame() {
  Frame f = std::move(stack_.back());
  stack_.pop_back();
  env_.pointer_names = f.saved_pointers;
  env_.memview_dims = f.saved_memviews;
  env_.var_types = f.saved_var_types;
  env_.boxed = f.saved_boxed;
  env_.return_type = f.saved_return_type;
  env_.cdivision = f.saved_cdivision;
  RenderedBlock block;
  switch (f.kind) {
    case FrameKind::kStruct:
      for (const std::string& field : f.body) {
        if (std::optional<Declaration> d = ParseDeclaration(field)) {
          for (const Declarator& v : d->vars) types_.struct_fields[f.name][v.name] = v.type;
        }
      }
      block = RenderStruct(f.name, f.body, f.flag, types_);
      break;
    case FrameKind::kEnum:
      block = RenderEnum(f.name, f.body);
      break;
    case FrameKind::kFused:
      block = RenderFused(f.name, f.body, types_);
      break;
    case FrameKind::kClass:
      if (!f.instance_fields.empty()) {
        // No __init__ to hold the per-instance fields: add one after the
        // class's last line (before blank lines that follow it).
        size_t at = out_.size();
        while (at > 0 && out_[at - 1].empty()) --at;
        std::vector<std::string> init = {"", f.body_indent + "def __init__(self):"};
        for (const std::string& field : f.instance_fields) {
          init.push_back(f.body_indent + "    " + field);
        }
        out_.insert(out_.begin() + at, init.begin(), init.end());
      }
      return;
    case FrameKind::kExtern:
      if (!f.pending.empty()) {
        out_.push_back(f.out_indent + "# untranslated: " + f.text);
        result_.untranslated.push_back({f.line, f.text, "cdef extern block"});
      } else {
        Note("cdef extern block mapped to Python: " + f.text);
      }
      for (const std::string& l : f.out) out_.push_back(l);
      for (UntranslatedLine& u : f.pending) result_.untranslated.push_back(std::move(u));
      return;
    default:
      return;
  }
  for (const std::string& l : block.lines) out_.push_back(l.empty() ? l : f.out_indent + l);
  for (const std::string& imp : block.imports) {
    const size_t sp = imp.find(" import ");
    AddImport(imp.substr(5, sp - 5), imp.substr(sp + 8));
  }
  for (std::string& n : block.notes) Note(std::move(n));
  for (const std::string& u : block.untranslated) {
    result_.untranslated.push_back({f.line, u, "struct field"});
  }
  if (block.lazy_annotations) lazy_annotations_ = true;
}

void ModuleTranslator::Note(std::string note) { result_.notes.push_back(std::move(note)); }

void ModuleTranslator::AddImport(const std::string& module, const std::string& name) {
  imports_[module].insert(name);
}

std::optional<std::string> ModuleTranslator::Hint(const CType& type) {
  std::optional<std::string> h = MapType(type, types_);
  if (h && HintNeedsLazyAnnotations(*h)) lazy_annotations_ = true;
  return h;
}

// ---- dispatch -----------------------------------------------------------

void ModuleTranslator::ProcessComment(const LogicalLine& ll) {
  if (IsDirectiveComment(ll.body)) {
    Note("directive comment dropped: " + ll.body);
    return;
  }
  const Frame& top = stack_.back();
  const bool inside = ll.body.empty() || ll.Width() > top.header_width;
  switch (top.kind) {
    case FrameKind::kSkip:
    case FrameKind::kStruct:
    case FrameKind::kEnum:
    case FrameKind::kFused:
      if (ll.body.empty()) {
        ++pending_blanks_;  // may turn out to follow the block
        return;
      }
      if (inside) return;
      break;
    case FrameKind::kExtern:
      if (ll.body.empty()) {
        ++pending_blanks_;
        return;
      }
      if (inside) {
        stack_.back().out.push_back(top.out_indent + ll.body);
        return;
      }
      break;
    default:
      break;
  }
  if (ll.body.empty()) {
    out_.push_back("");
  } else {
    Emit(ll, ll.body);
  }
}

void ModuleTranslator::Process(const LogicalLine& ll) {
  const int width = ll.Width();
  PopFrames(width);
  Frame& top = stack_.back();
  const bool collecting = top.kind == FrameKind::kSkip || top.kind == FrameKind::kStruct ||
                          top.kind == FrameKind::kEnum || top.kind == FrameKind::kFused ||
                          top.kind == FrameKind::kExtern;
  if (!collecting) {
    for (; pending_blanks_ > 0; --pending_blanks_) out_.push_back("");
  }
  pending_blanks_ = collecting ? pending_blanks_ : 0;
  if (top.body_width < 0 && top.kind != FrameKind::kModule) {
    top.body_width = width;
    if (top.kind == FrameKind::kClass) top.body_indent = OutIndent(ll);
    if (top.kind == FrameKind::kDedent || top.kind == FrameKind::kDeclBlock) {
      top.dedent = width - top.header_width;
    }
  }
  switch (top.kind) {
    case FrameKind::kSkip:
      return;
    case FrameKind::kCommentOut:
      EmitUntranslated(ll, top.name);
      return;
    case FrameKind::kStruct:
    case FrameKind::kEnum:
    case FrameKind::kFused: {
      const std::vector<Token> toks = Tokenize(ll.body);
      const std::string code(Span(ll.body, toks, 0, CodeEnd(toks)));
      if (code != "pass") top.body.push_back(code);
      return;
    }
    case FrameKind::kExtern:
      HandleExternMember(ll, top);
      return;
    case FrameKind::kDeclBlock:
      if (width == top.body_width) {
        HandleCdef(ll, "cdef " + top.text + ll.body);
        return;
      }
      break;
    default:
      break;
  }
  HandleStatement(ll, ll.body);
}

void ModuleTranslator::HandleStatement(const LogicalLine& ll, const std::string& body) {
  const std::vector<Token> toks = Tokenize(body);
  if (toks.empty()) return;
  const Token& head = toks[0];
  if (head.Is("@")) {
    if (toks.size() > 1 && toks[1].Is("cython")) {
      if (toks.size() > 5 && toks[3].Is("cdivision")) pending_cdivision_ = toks[5].Is("True");
      Note("decorator dropped: " + Trim(body));
      return;
    }
    EmitRewritten(ll, body);
    return;
  }
  if (head.Is("cdef") || head.Is("cpdef") || head.Is("ctypedef")) {
    HandleCdef(ll, body);
    return;
  }
  if (head.Is("DEF") && toks.size() > 2) {
    Note("DEF compile-time constant -> module constant");
    EmitRewritten(ll, body.substr(toks[1].begin));
    return;
  }
  if (head.Is("IF") || head.Is("ELIF") || head.Is("ELSE") || head.Is("include")) {
    EmitUntranslatedBlock(
        ll, head.Is("include") ? "include of a .pxi file" : "compile-time conditional");
    return;
  }
  if ((head.Is("cimport") || head.Is("from")) && HandleImport(ll, body)) return;
  if (head.Is("class")) {
    HandleClass(ll, toks, body, 0);
    return;
  }
  if ((head.Is("def") || head.Is("async")) && HandleFunction(ll, body)) return;
  if (head.Is("with") && HandleWith(ll, body)) return;
  if (head.Is("for")) {
    if (std::optional<std::string> loop = RewriteForFrom(body, env_)) {
      Note("for-from loop -> range()");
      Emit(ll, *loop);
      Frame f;
      f.kind = FrameKind::kBlock;
      f.header_width = ll.Width();
      Push(std::move(f));
      return;
    }
  }
  const StatementRewrite s = RewriteCStatement(body, c_names_, env_);
  switch (s.action) {
    case StatementAction::kDrop:
      Note(s.reason);
      return;
    case StatementAction::kReplace:
      for (const auto& [module, name] : s.imports) AddImport(module, name);
      Emit(ll, s.text);
      return;
    case StatementAction::kUntranslatable:
      EmitUntranslated(ll, s.reason);
      return;
    case StatementAction::kKeep:
      break;
  }
  EmitRewritten(ll, body);
}

bool ModuleTranslator::HandleImport(const LogicalLine& ll, const std::string& body) {
  std::optional<CimportTranslation> c = TranslateCimport(body, python_numpy_aliases_);
  if (!c) return false;
  if (body.rfind("from libcpp", 0) == 0) {
    env_.cpp_pairs = true;  // pairs may be in use
    // `set as cppset`: the alias names the container type.
    const std::vector<Token> toks = Tokenize(body);
    for (size_t k = 0; k + 2 < toks.size(); ++k) {
      if (toks[k + 1].Is("as") && toks[k].IsName() && toks[k + 2].IsName()) {
        types_.aliases[std::string(toks[k + 2].text)] = ParseCType(toks[k].text);
      }
    }
  }
  for (const std::string& line : c->lines) Emit(ll, line);
  for (auto& [from, to] : c->renames) {
    env_.call_renames[from] = to;
    c_names_.insert(from);
  }
  for (std::string& n : c->notes) Note(std::move(n));
  const std::vector<Token> toks = Tokenize(body);
  // Every imported C name counts (free, memcpy, ...) for statement rewrites.
  for (size_t k = 0; k < toks.size(); ++k) {
    if (toks[k].Is("cimport")) {
      for (size_t j = k + 1; j < toks.size(); ++j) {
        if (toks[j].IsName()) c_names_.insert(std::string(toks[j].text));
      }
    }
  }
  if (!c->untranslated_names.empty()) {
    std::string names;
    for (const std::string& n : c->untranslated_names) names += (names.empty() ? "" : ", ") + n;
    EmitUntranslated(ll, "no Python equivalent for " + names);
  }
  return true;
}

}  // namespace cnake::translate
