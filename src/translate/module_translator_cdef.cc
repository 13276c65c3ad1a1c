// ModuleTranslator handlers for definitions: cdef/cpdef/ctypedef statements,
// classes, functions, variable declarations, `with nogil:` and extern blocks.
#include <fmt/format.h>

#include <algorithm>

#include "translate/blocks.h"
#include "translate/c_semantics.h"
#include "translate/cimports.h"
#include "translate/declarations.h"
#include "translate/module_translator.h"
#include "translate/special_calls.h"
#include "translate/statements.h"

namespace cnake::translate {
namespace {

std::string TrailingComment(const std::vector<Token>& toks) {
  return !toks.empty() && toks.back().kind == TokenKind::kComment
             ? "  " + std::string(toks.back().text)
             : "";
}

bool IsModifierWord(const Token& t) {
  return t.Is("public") || t.Is("readonly") || t.Is("api") || t.Is("packed") || t.Is("final") ||
         t.Is("static") || t.Is("inline");
}

// Python value for a declaration without initializer where one is required.
std::string DefaultFor(const CType& t, const TypeContext& ctx) {
  const CType r = ResolveAliases(t, ctx);
  if (!r.array_dims.empty()) {
    CType elem = r;
    elem.array_dims.clear();
    const TypeCategory cat = Categorize(elem, ctx);
    if (cat == TypeCategory::kChar && elem.pointer_depth == 0 && r.array_dims.size() == 1) {
      return "bytearray(" + r.array_dims[0] + ")";
    }
    const std::string zero = ZeroValue(elem, ctx);
    // Struct values are objects: each element needs its own instance.
    std::string value = zero.ends_with("()")
                            ? fmt::format("[{} for _ in range({})]", zero, r.array_dims.back())
                            : fmt::format("[{}] * {}", zero, r.array_dims.back());
    for (size_t k = r.array_dims.size() - 1; k-- > 0;) {
      value = fmt::format("[{} for _ in range({})]", value, r.array_dims[k]);
    }
    return value;
  }
  if (r.pointer_depth == 0 && r.memview_dims == 0 && !r.template_args.empty()) {
    bool defaultdict = false;
    std::string value = ContainerDefault(r, ctx, &defaultdict);
    if (!value.empty()) return value;
  }
  if (r.pointer_depth == 0 && r.memview_dims == 0 && ctx.structs.count(r.base)) {
    return r.base + "()";
  }
  return "";
}

}  // namespace

void ModuleTranslator::HandleCdef(const LogicalLine& ll, const std::string& body) {
  const std::vector<Token> toks = Tokenize(body);
  const size_t n = CodeEnd(toks);
  const bool ctypedef = toks[0].Is("ctypedef");
  size_t k = 1;
  while (k < n && IsModifierWord(toks[k])) ++k;
  const bool opens = n > 0 && toks[n - 1].Is(":");
  if (k >= n || (k == n - 1 && opens)) {
    if (!ctypedef && opens) {  // `cdef:` / `cdef public:` declaration block
      Frame f;
      f.kind = FrameKind::kDeclBlock;
      f.header_width = ll.Width();
      for (size_t m = 1; m < k; ++m) f.text += std::string(toks[m].text) + " ";
      Push(std::move(f));
      return;
    }
    EmitUntranslated(ll, "empty cdef statement");
    return;
  }
  const Token& kw = toks[k];
  if (kw.Is("class") && !ctypedef) {
    HandleClass(ll, toks, body, k);
    return;
  }
  if (kw.Is("extern")) {
    if (!opens) {
      EmitUntranslated(ll, "cdef extern declaration");
      return;
    }
    Frame f;
    f.kind = FrameKind::kExtern;
    f.header_width = ll.Width();
    f.out_indent = OutIndent(ll);
    f.text = std::string(Span(body, toks, 0, n));
    f.line = ll.first_line;
    if (k + 2 < n && toks[k + 1].Is("from")) f.name = std::string(toks[k + 2].text);
    Push(std::move(f));
    return;
  }
  const bool struct_kw = kw.Is("struct") || kw.Is("union");
  if (struct_kw || kw.Is("enum") || (ctypedef && kw.Is("fused"))) {
    std::string name = k + 1 < n && toks[k + 1].IsName() ? std::string(toks[k + 1].text) : "";
    const size_t colon = [&] {
      for (size_t m = k + 1; m < n; ++m) {
        if (toks[m].Is(":")) return m;
      }
      return n;
    }();
    if (colon == n && !(kw.Is("enum") && name.empty())) {
      Note(fmt::format("forward declaration dropped: {}", Trim(body)));
      return;
    }
    const std::string suite = colon + 1 < n ? std::string(Span(body, toks, colon + 1, n)) : "";
    const FrameKind kind = struct_kw       ? FrameKind::kStruct
                           : kw.Is("enum") ? FrameKind::kEnum
                                           : FrameKind::kFused;
    OpenCollector(ll, kind, name, suite);
    stack_.back().flag = kw.Is("union");
    return;
  }
  if (ctypedef) {
    RenderedBlock b = RenderTypedef(std::string(Span(body, toks, 1, n)), types_);
    for (const std::string& l : b.lines) Emit(ll, l + TrailingComment(toks));
    for (std::string& note : b.notes) Note(std::move(note));
    return;
  }
  if (HandleFunction(ll, body)) return;
  HandleDeclaration(ll, body.substr(toks[1].begin));
}

void ModuleTranslator::OpenCollector(const LogicalLine& ll, FrameKind kind, const std::string& name,
                                     const std::string& suite) {
  Frame f;
  f.kind = kind;
  f.header_width = ll.Width();
  f.out_indent = OutIndent(ll);
  f.name = name;
  f.line = ll.first_line;
  if (!Trim(suite).empty()) f.body.push_back(Trim(suite));
  Push(std::move(f));
}

void ModuleTranslator::HandleClass(const LogicalLine& ll, const std::vector<Token>& toks,
                                   const std::string& body, size_t class_at) {
  const size_t n = CodeEnd(toks);
  if (class_at + 1 >= n || !toks[class_at + 1].IsName()) {
    EmitUntranslatedBlock(ll, "unrecognised class header");
    return;
  }
  const std::string name(toks[class_at + 1].text);
  if (!toks[n - 1].Is(":")) {
    Note("forward class declaration dropped: " + name);
    return;
  }
  std::string header = "class " + name;
  size_t m = class_at + 2;
  if (m < n && toks[m].Is("(")) {
    const size_t close = MatchingClose(toks, m);
    if (close >= n) {
      EmitUntranslatedBlock(ll, "unrecognised class header");
      return;
    }
    header += RewriteExpression(Span(body, toks, m, close + 1), env_).text;
    m = close + 1;
  }
  if (m < n && toks[m].Is("[")) m = MatchingClose(toks, m) + 1;  // [object X, type Y]
  const std::string suite = m + 1 < n ? " " + std::string(Span(body, toks, m + 1, n)) : "";
  if (toks[0].Is("cdef") || toks[0].Is("cpdef")) Note("cdef class " + name + " -> class");
  Emit(ll, header + ":" + suite + TrailingComment(toks));
  Frame f;
  f.kind = FrameKind::kClass;
  f.header_width = ll.Width();
  f.name = name;
  // Does the class define __init__? Then __cinit__ cannot simply take its name.
  const size_t self = &ll - lines_.data();
  for (size_t i = self + 1; i < lines_.size(); ++i) {
    if (lines_[i].IsBlankOrComment()) continue;
    if (lines_[i].Width() <= ll.Width()) break;
    if (lines_[i].body.rfind("def __init__", 0) == 0) f.flag = true;
  }
  Push(std::move(f));
}

bool ModuleTranslator::HandleFunction(const LogicalLine& ll, const std::string& body) {
  std::optional<Signature> sig = ParseSignature(body);
  if (!sig) return false;
  const bool in_class = stack_.back().kind == FrameKind::kClass;
  if (in_class && sig->name == "__dealloc__") {
    Emit(ll, "# __dealloc__ removed: Python releases the memory automatically");
    Note("__dealloc__ dropped");
    if (sig->has_body && sig->suite.empty()) {
      Frame f;
      f.kind = FrameKind::kSkip;
      f.header_width = ll.Width();
      Push(std::move(f));
    }
    return true;
  }
  if (in_class && sig->name == "__cinit__") {
    sig->name = stack_.back().flag ? "_cinit" : "__init__";
    Note(stack_.back().flag ? "__cinit__ kept as _cinit (the class also has __init__)"
                            : "__cinit__ -> __init__");
  }
  if (sig->keyword != "def") Note(sig->keyword + " function -> def");
  std::set<std::string> pointers = env_.pointer_names;
  std::map<std::string, int> memviews = env_.memview_dims;
  for (const Param& p : sig->params) {
    if (!p.type.empty()) Hint(p.type);
    if (p.type.empty()) continue;
    const CType resolved = ResolveAliases(p.type, types_);
    if (IsPointerLike(resolved)) pointers.insert(p.name);
    if (resolved.memview_dims > 0) memviews[p.name] = resolved.memview_dims;
  }
  if (sig->has_return_type) Hint(sig->return_type);
  std::string text = RenderSignature(*sig, env_);
  if (!sig->has_body) {
    // A declaration-only class (.pxd): the fields belong to the .pyx class.
    if (in_class) stack_.back().instance_fields.clear();
    Emit(ll, text + " ..." + (sig->comment.empty() ? "" : "  " + sig->comment));
    return true;
  }
  if (!sig->suite.empty()) text += " " + RewriteExpression(sig->suite, env_).text;
  if (!sig->comment.empty()) text += "  " + sig->comment;
  Emit(ll, text);
  if (sig->suite.empty()) {
    Frame f;
    f.kind = FrameKind::kFunction;
    f.header_width = ll.Width();
    Push(std::move(f));
    env_.pointer_names = pointers;
    env_.memview_dims = memviews;
    EnterFunctionScope(ll, *sig);
    if (in_class && sig->name == "__init__") EmitInstanceFields(ll, stack_[stack_.size() - 2]);
  }
  pending_cdivision_.reset();
  return true;
}

void ModuleTranslator::EmitInstanceFields(const LogicalLine& init, Frame& cls) {
  const size_t self = &init - lines_.data();
  for (size_t i = self + 1; i < lines_.size(); ++i) {
    if (lines_[i].IsBlankOrComment()) continue;
    for (const std::string& f : cls.instance_fields) EmitAt(OutIndent(lines_[i]), f);
    break;
  }
  cls.instance_fields.clear();
}

void ModuleTranslator::EnterFunctionScope(const LogicalLine& ll, const Signature& sig) {
  for (const Param& p : sig.params) {
    if (p.name.empty()) continue;
    if (p.type.empty()) {
      env_.var_types.erase(p.name);
    } else {
      env_.var_types[p.name] = p.type;
    }
  }
  env_.return_type = sig.keyword != "def" && sig.has_return_type ? sig.return_type : CType{};
  if (pending_cdivision_) env_.cdivision = *pending_cdivision_;
  // Locals whose address is taken (&x, not &x[i] or &x.f) will be boxed.
  address_taken_.clear();
  const size_t self = &ll - lines_.data();
  for (size_t i = self + 1; i < lines_.size(); ++i) {
    if (lines_[i].IsBlankOrComment()) continue;
    if (lines_[i].Width() <= ll.Width()) break;
    const std::vector<Token> toks = Tokenize(lines_[i].body);
    for (size_t k = 0; k + 1 < toks.size(); ++k) {
      const bool unary =
          k == 0 || toks[k - 1].Is("(") || toks[k - 1].Is(",") || toks[k - 1].Is("=");
      const bool plain = k + 2 >= toks.size() || !(toks[k + 2].Is("[") || toks[k + 2].Is("."));
      if (toks[k].Is("&") && unary && toks[k + 1].IsName() && plain) {
        address_taken_.insert(std::string(toks[k + 1].text));
      }
    }
  }
}

void ModuleTranslator::HandleDeclaration(const LogicalLine& ll, const std::string& after_cdef) {
  std::optional<Declaration> decl = ParseDeclaration(after_cdef);
  if (!decl) {
    EmitUntranslatedBlock(ll, "unrecognised cdef statement");
    return;
  }
  const FrameKind where = stack_.back().kind;
  const bool in_function = where != FrameKind::kModule && where != FrameKind::kClass;
  const std::vector<Token> toks = Tokenize(after_cdef);
  const std::string comment = TrailingComment(toks);
  for (const Declarator& d : decl->vars) {
    const CType resolved = ResolveAliases(d.type, types_);
    std::optional<std::string> hint = Hint(d.type);
    const bool pointer = IsPointerLike(resolved);
    std::string value;
    if (where == FrameKind::kClass) {
      env_.var_types["self." + d.name] = d.type;
    } else {
      env_.var_types[d.name] = d.type;
    }
    if (!d.value.empty()) {
      ExprResult r = RewriteExpression(CoerceInitializer(d.value, d.type, env_), env_);
      if (!r.failure.empty()) {
        EmitUntranslated(ll, r.failure);
        return;
      }
      value = r.text;
      if (value.rfind("bytearray(", 0) == 0 && hint && *hint == "bytes") hint = "bytearray";
    } else {
      // Class-level values are shared by all instances: only immutable ones.
      value = where == FrameKind::kClass ? "" : DefaultFor(d.type, types_);
      if (value.empty() && in_function && NumOf(d.type, types_).IsC() &&
          !AssignedBeforeUse(ll, d.name)) {
        value = ZeroValue(d.type, types_);  // C would read garbage; Python would raise
      }
      if (value.empty() && !in_function) {
        value = ZeroValue(d.type, types_);
        if (where == FrameKind::kClass && value.ends_with("()")) value = "None";
      }
    }
    if (resolved.memview_dims > 0 && where != FrameKind::kClass) {
      env_.memview_dims[d.name] = resolved.memview_dims;
    }
    if (pointer) {
      env_.pointer_names.insert(where == FrameKind::kClass ? "self." + d.name : d.name);
    }
    if (where == FrameKind::kClass && d.value.empty()) {
      const std::string fresh = DefaultFor(d.type, types_);
      if (!fresh.empty()) {
        // C arrays, structs and containers in a cdef class are per instance
        // (and zeroed): set in __init__, never shared at class level.
        if (fresh.rfind("defaultdict(", 0) == 0) AddImport("collections", "defaultdict");
        stack_.back().instance_fields.push_back("self." + d.name + " = " + fresh);
        if (hint) Emit(ll, RenderVariable(d.name, hint, "") + comment);
        continue;
      }
    }
    if (where == FrameKind::kClass && hint && value == "None" && *hint != "object") {
      hint = *hint + " | None";
    }
    if (!hint && value.empty()) {
      Note(fmt::format("declaration of {} dropped: its type has no Python equivalent", d.name));
      continue;
    }
    if (value.rfind("defaultdict(", 0) == 0) AddImport("collections", "defaultdict");
    if (in_function && address_taken_.count(d.name) && NumOf(d.type, types_).IsC()) {
      // &x is passed somewhere: x lives in a one-element list.
      env_.boxed.insert(d.name);
      Note("local " + d.name + " boxed in a one-element list: its address is taken");
      const std::string zero = value.empty() ? ZeroValue(d.type, types_) : value;
      Emit(ll,
           RenderVariable(d.name, hint ? "list[" + *hint + "]" : hint, "[" + zero + "]") + comment);
      continue;
    }
    Emit(ll, RenderVariable(d.name, hint, value) + comment);
  }
  if (where == FrameKind::kClass) {
    for (const std::string& m : decl->modifiers) {
      if (m == "readonly" || m == "public") Note("cdef " + m + " attribute -> plain attribute");
    }
  }
}

bool ModuleTranslator::AssignedBeforeUse(const LogicalLine& decl, const std::string& name) const {
  // Statements of the declaring block sit at the block's width (for a `cdef:`
  // block, the width of its header).
  const int level =
      stack_.back().kind == FrameKind::kDeclBlock ? stack_.back().header_width : decl.Width();
  constexpr int kNone = 1 << 30;
  int bound_width = kNone;  // width of the block where `name` was last assigned
  for (size_t i = (&decl - lines_.data()) + 1; i < lines_.size(); ++i) {
    const LogicalLine& ll = lines_[i];
    if (ll.IsBlankOrComment()) continue;
    if (ll.Width() < level) return true;
    if (ll.Width() < bound_width) bound_width = kNone;  // left that block (else:, dedent)
    const std::vector<Token> toks = Tokenize(ll.body);
    std::vector<size_t> uses;
    for (size_t k = 0; k < toks.size(); ++k) {
      if (toks[k].Is(name) && (k == 0 || !toks[k - 1].Is("."))) uses.push_back(k);
    }
    if (uses.empty()) continue;
    const bool assigns = toks.size() > 2 && uses[0] == 0 && toks[1].Is("=");
    const bool loop = toks.size() > 2 && toks[0].Is("for") && uses[0] == 1;
    if ((assigns || loop) && uses.size() == 1) {
      bound_width = std::min(bound_width, ll.Width());
      continue;
    }
    if (bound_width == kNone) return false;  // read where no assignment reaches for sure
  }
  return true;
}

bool ModuleTranslator::HandleWith(const LogicalLine& ll, const std::string& body) {
  const WithRewrite w = AnalyzeWith(body);
  if (!w.is_with || !w.dropped_any) return false;
  Note("with nogil/gil/parallel block dedented");
  if (!w.kept.empty()) {
    std::string items;
    for (const std::string& k : w.kept) items += (items.empty() ? "" : ", ") + k;
    EmitRewritten(ll, "with " + items + ":" + (w.suite.empty() ? "" : " " + w.suite) +
                          (w.comment.empty() ? "" : "  " + w.comment));
    return true;
  }
  if (!w.suite.empty()) {
    HandleStatement(ll, w.suite);
    return true;
  }
  Frame f;
  f.kind = FrameKind::kDedent;
  f.header_width = ll.Width();
  Push(std::move(f));
  return true;
}

void ModuleTranslator::HandleExternMember(const LogicalLine& ll, Frame& frame) {
  const std::vector<Token> toks = Tokenize(ll.body);
  const size_t n = CodeEnd(toks);
  if (n == 1 && toks[0].Is("pass")) return;
  std::string name;
  bool is_function = false;
  for (size_t k = 1; k < n; ++k) {
    if (toks[k].Is("(") && toks[k - 1].IsName()) {
      name = std::string(toks[k - 1].text);
      is_function = true;
      break;
    }
  }
  if (!is_function && n >= 2 && toks[n - 1].IsName() && !toks[0].Is("ctypedef")) {
    name = std::string(toks[n - 1].text);
  }
  const bool std_header = IsKnownCModule(frame.name);
  if (std_header && !name.empty() && ll.Width() == frame.body_width) {
    if (std::optional<LibcName> m = LookupLibcName(frame.name, name)) {
      c_names_.insert(name);
      switch (m->kind) {
        case LibcName::Kind::kImport:
          AddImport(m->module, m->target == name ? name : m->target + " as " + name);
          break;
        case LibcName::Kind::kRename:
          env_.call_renames[name] = m->target;
          break;
        case LibcName::Kind::kConstant:
          frame.out.push_back(frame.out_indent + name + " = " + m->target);
          break;
        case LibcName::Kind::kDrop:
          break;
      }
      Note(fmt::format("extern {} from {} mapped to Python", name, frame.name));
      return;
    }
  }
  if (toks[0].Is("ctypedef") && ll.Width() == frame.body_width &&
      types_.aliases.count(std::string(toks[n - 1].text))) {
    Note("extern ctypedef " + std::string(toks[n - 1].text) + " used as a type alias");
    return;
  }
  const int relative = ll.Width() - frame.header_width;
  frame.out.push_back(frame.out_indent +
                      "# untranslated: " + std::string(std::max(0, relative - 4), ' ') + ll.body);
  frame.pending.push_back({ll.first_line, ll.body, "cdef extern declaration"});
}

}  // namespace cnake::translate
