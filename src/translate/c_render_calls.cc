// Renderer rules for pointers and calls (see c_render.h): pointer
// arithmetic through _Ptr views, &a[k], and the C types of call results
// together with the conversions C applies to typed arguments.
#include <set>

#include "translate/c_render.h"
#include "translate/cimports.h"

namespace cnake::translate {
namespace {

bool IsMathFunction(const std::string& name, const ExprEnv& env) {
  if (env.c_names == nullptr || !env.c_names->count(name)) return false;
  std::optional<LibcName> m = LookupLibcName("libc.math", name);
  return m.has_value() && m->kind == LibcName::Kind::kImport;
}

}  // namespace

bool Renderer::IsPointer(int id) {
  const CType t = ResolveAliases(Declared(id), *env_.types);
  if (t.pointer_depth == 0 && t.array_dims.empty()) return false;
  const CType elem = ResolveAliases(ElementTypeOf(t), *env_.types);
  return elem.pointer_depth > 0 || !env_.types->structs.count(elem.base);
}

std::string Renderer::PointerAdd(const std::string& base, const std::string& offset) {
  if (env_.helpers != nullptr) env_.helpers->insert("_ptr_add");
  return "_ptr_add(" + base + ", " + offset + ")";
}

// &a[k] where a is a pointer, C array or memoryview: a pointer into a.
std::optional<Value> Renderer::RenderAddressOf(int id) {
  const ExprNode& n = t_.node(id);
  const ExprNode& target = t_.node(n.kids[0]);
  if (target.kind != NodeKind::kIndex || t_.node(target.kids[1]).kind == NodeKind::kSlice) {
    return std::nullopt;
  }
  const CType base = ResolveAliases(Declared(target.kids[0]), *env_.types);
  if (base.pointer_depth == 0 && base.array_dims.empty() && base.memview_dims != 1) {
    return std::nullopt;
  }
  // A struct pointer is modelled as a reference to the element itself.
  const CType elem = ResolveAliases(ElementTypeOf(base), *env_.types);
  if (elem.pointer_depth == 0 && env_.types->structs.count(elem.base)) return std::nullopt;
  const std::string b = Observed(Render(target.kids[0]));
  const std::string k = Observed(Render(target.kids[1]));
  if (LiteralValue(t_, target.kids[1]) == 0) return Value{b, CNum{}, false};
  return Value{PointerAdd(b, k), CNum{}, false};
}

// p + k, k + p, p - k and p - q on pointers: _Ptr views (c_numbers.h).
std::optional<Value> Renderer::RenderPointerArithmetic(int id, const Value& l, const Value& r) {
  const ExprNode& n = t_.node(id);
  const bool lp = IsPointer(n.kids[0]), rp = IsPointer(n.kids[1]);
  if (!lp && !rp) return std::nullopt;
  const std::string lt = Observed(l), rt = Observed(r);
  if (lp && rp && n.op == "-") {
    if (env_.helpers != nullptr) env_.helpers->insert("_ptr_diff");
    return Value{"_ptr_diff(" + lt + ", " + rt + ")", IntOf(64, false), false};
  }
  if (lp && r.num.IsInt()) {
    return Value{PointerAdd(lt, n.op == "-" ? "-" + AsOperand(n.kids[1], Paren(rt)) : rt), CNum{},
                 false};
  }
  if (rp && l.num.IsInt() && n.op == "+") return Value{PointerAdd(rt, lt), CNum{}, false};
  return std::nullopt;
}

Value Renderer::RenderCall(int id) {
  const ExprNode& n = t_.node(id);
  const ExprNode& callee = t_.node(n.kids[0]);
  static const std::set<std::string> kBufferFunctions = {"memcmp", "memcpy", "memmove", "memset",
                                                         "qsort"};
  if (callee.kind == NodeKind::kName && kBufferFunctions.count(callee.text) &&
      env_.c_names != nullptr && env_.c_names->count(callee.text)) {
    return {t_.Source(id), IntOf(32, false), false};  // memory_calls.h reads their pointers
  }
  const FunctionInfo* info = nullptr;
  if (callee.kind == NodeKind::kName && env_.functions != nullptr) {
    auto it = env_.functions->find(callee.text);
    if (it != env_.functions->end()) info = &it->second;
  }
  std::vector<std::pair<int, std::string>> kids;
  std::vector<CNum> arg_nums;
  kids.emplace_back(n.kids[0], Render(n.kids[0]).text);
  for (size_t a = 1; a < n.kids.size(); ++a) {
    Value v = Render(n.kids[a]);
    arg_nums.push_back(v.num);
    const bool positional = t_.node(n.kids[a]).kind != NodeKind::kKeyword;
    if (info != nullptr && positional && a - 1 < info->params.size()) {
      kids.emplace_back(n.kids[a], Coerced(v, NumOf(info->params[a - 1], *env_.types)));
    } else {
      kids.emplace_back(n.kids[a], Observed(v));
    }
  }
  Value out{Splice(id, kids), CNum{}, false};
  if (info != nullptr) {
    out.num = NumOf(info->return_type, *env_.types);
  } else if (callee.kind == NodeKind::kName) {
    const std::string& f = callee.text;
    if (f == "len") {
      out.num = IntOf(64, false);
      out.num.non_negative = true;
      out.range_bits = 31;  // no sequence is that long
    } else if ((f == "abs" || f == "min" || f == "max") && !arg_nums.empty()) {
      CNum num = arg_nums[0];
      for (const CNum& a : arg_nums) num = Promote(num, a);
      out.num = num;
    } else if (IsMathFunction(f, env_)) {
      out.num = FloatNum();
    }
  } else if (callee.kind == NodeKind::kAttr && (callee.text == "size" || callee.text == "length")) {
    out.num = IntOf(64, true);
  }
  return out;
}

}  // namespace cnake::translate
