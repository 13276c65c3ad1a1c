#include "translate/c_numbers.h"

#include <fmt/format.h>

#include "translate/lexer.h"

namespace cnake::translate {
namespace {

struct Width {
  int bits;
  bool is_unsigned;
};

// Widths on LP64 Linux, the platform Cython benchmarks run on.
std::optional<Width> WidthOf(const std::string& base) {
  static const std::map<std::string, Width> kWidths = {
      {"char", {8, false}},
      {"signed char", {8, false}},
      {"schar", {8, false}},
      {"cython.char", {8, false}},
      {"int8_t", {8, false}},
      {"npy_int8", {8, false}},
      {"unsigned char", {8, true}},
      {"uchar", {8, true}},
      {"cython.uchar", {8, true}},
      {"uint8_t", {8, true}},
      {"npy_uint8", {8, true}},
      {"short", {16, false}},
      {"short int", {16, false}},
      {"signed short", {16, false}},
      {"int16_t", {16, false}},
      {"npy_int16", {16, false}},
      {"unsigned short", {16, true}},
      {"unsigned short int", {16, true}},
      {"uint16_t", {16, true}},
      {"npy_uint16", {16, true}},
      {"int", {32, false}},
      {"signed", {32, false}},
      {"signed int", {32, false}},
      {"int32_t", {32, false}},
      {"npy_int32", {32, false}},
      {"bint", {32, false}},
      {"cython.int", {32, false}},
      {"unsigned", {32, true}},
      {"unsigned int", {32, true}},
      {"uint", {32, true}},
      {"uint32_t", {32, true}},
      {"npy_uint32", {32, true}},
      {"cython.uint", {32, true}},
      {"unsigned long", {64, true}},
      {"unsigned long int", {64, true}},
      {"unsigned long long", {64, true}},
      {"unsigned long long int", {64, true}},
      {"ulong", {64, true}},
      {"ulonglong", {64, true}},
      {"uint64_t", {64, true}},
      {"npy_uint64", {64, true}},
      {"size_t", {64, true}},
      {"uintptr_t", {64, true}},
      {"uintmax_t", {64, true}},
      {"cython.ulong", {64, true}},
      {"cython.ulonglong", {64, true}},
      {"cython.size_t", {64, true}},
  };
  if (auto it = kWidths.find(base); it != kWidths.end()) return it->second;
  return std::nullopt;
}

std::string Mask(int bits) {
  return bits == 8    ? "0xFF"
         : bits == 16 ? "0xFFFF"
         : bits == 32 ? "0xFFFFFFFF"
                      : "0xFFFFFFFFFFFFFFFF";
}

struct Helper {
  const char* name;
  const char* source;
  const char* import;  // module the helper needs, or nullptr
};

// Order matters only for the output's stability.
const std::vector<Helper>& Helpers() {
  static const std::vector<Helper> kHelpers = {
      {"_c_div",
       "def _c_div(a, b):\n"
       "    \"\"\"C integer division (cdivision=True): truncates toward zero.\"\"\"\n"
       "    q = abs(a) // abs(b)\n"
       "    return q if (a >= 0) == (b >= 0) else -q",
       nullptr},
      {"_c_mod",
       "def _c_mod(a, b):\n"
       "    \"\"\"C remainder (cdivision=True): takes the sign of the dividend.\"\"\"\n"
       "    r = abs(a) % abs(b)\n"
       "    return r if a >= 0 else -r",
       nullptr},
      {"_c_fmod",
       "def _c_fmod(a, b):\n"
       "    \"\"\"C '%' on doubles (cdivision=True): fmod, sign of the dividend.\"\"\"\n"
       "    return math.fmod(a, b)",
       "math"},
      {"_wrap_i8",
       "def _wrap_i8(x):\n"
       "    \"\"\"Wrap to a signed 8-bit C value, as the C code's overflow does.\"\"\"\n"
       "    return ((x + 0x80) & 0xFF) - 0x80",
       nullptr},
      {"_wrap_i16",
       "def _wrap_i16(x):\n"
       "    \"\"\"Wrap to a signed 16-bit C value, as the C code's overflow does.\"\"\"\n"
       "    return ((x + 0x8000) & 0xFFFF) - 0x8000",
       nullptr},
      {"_wrap_i32",
       "def _wrap_i32(x):\n"
       "    \"\"\"Wrap to a signed 32-bit C int, as the C code's overflow does.\"\"\"\n"
       "    return ((x + 0x80000000) & 0xFFFFFFFF) - 0x80000000",
       nullptr},
      {"_wrap_i64",
       "def _wrap_i64(x):\n"
       "    \"\"\"Wrap to a signed 64-bit C value, as the C code's overflow does.\"\"\"\n"
       "    return ((x + 0x8000000000000000) & 0xFFFFFFFFFFFFFFFF) - 0x8000000000000000",
       nullptr},
      {"_c_round",
       "def _c_round(x):\n"
       "    \"\"\"C round(): halves away from zero, result stays a float.\"\"\"\n"
       "    return float(math.floor(x + 0.5)) if x >= 0 else -float(math.floor(-x + 0.5))",
       "math"},
      {"_c_lround",
       "def _c_lround(x):\n"
       "    \"\"\"C lround(): halves away from zero, result is an integer.\"\"\"\n"
       "    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)",
       "math"},
      {"_c_floor",
       "def _c_floor(x):\n"
       "    \"\"\"C floor(): the result stays a float.\"\"\"\n"
       "    return float(math.floor(x))",
       "math"},
      {"_c_ceil",
       "def _c_ceil(x):\n"
       "    \"\"\"C ceil(): the result stays a float.\"\"\"\n"
       "    return float(math.ceil(x))",
       "math"},
      {"_c_trunc",
       "def _c_trunc(x):\n"
       "    \"\"\"C trunc(): the result stays a float.\"\"\"\n"
       "    return float(math.trunc(x))",
       "math"},
      {"_c_rint",
       "def _c_rint(x):\n"
       "    \"\"\"C rint(): halves to even, the result stays a float.\"\"\"\n"
       "    return float(round(x))",
       nullptr},
      {"_c_fmax",
       "def _c_fmax(a, b):\n"
       "    \"\"\"C fmax(): the larger value as a float.\"\"\"\n"
       "    return float(max(a, b))",
       nullptr},
      {"_c_fmin",
       "def _c_fmin(a, b):\n"
       "    \"\"\"C fmin(): the smaller value as a float.\"\"\"\n"
       "    return float(min(a, b))",
       nullptr},
      {"_c_memcmp",
       "def _c_memcmp(a, b):\n"
       "    \"\"\"memcmp on two equal-length slices: negative, zero or positive.\"\"\"\n"
       "    return (a > b) - (a < b)",
       nullptr},
      {"_Ptr",
       "class _Ptr:\n"
       "    \"\"\"A C pointer into a list or bytearray: the buffer and an element offset.\"\"\"\n"
       "\n"
       "    __slots__ = (\"buf\", \"pos\")\n"
       "\n"
       "    def __init__(self, buf, pos):\n"
       "        self.buf = buf\n"
       "        self.pos = pos\n"
       "\n"
       "    def _index(self, i):\n"
       "        if isinstance(i, slice):\n"
       "            stop = None if i.stop is None else self.pos + i.stop\n"
       "            return slice(self.pos + (i.start or 0), stop, i.step)\n"
       "        return self.pos + i\n"
       "\n"
       "    def __getitem__(self, i):\n"
       "        return self.buf[self._index(i)]\n"
       "\n"
       "    def __setitem__(self, i, value):\n"
       "        self.buf[self._index(i)] = value\n"
       "\n"
       "    def __eq__(self, other):\n"
       "        return _ptr_diff(self, other) == 0 if other is not None else False\n"
       "\n"
       "    def __lt__(self, other):\n"
       "        return _ptr_diff(self, other) < 0\n"
       "\n"
       "    def __le__(self, other):\n"
       "        return _ptr_diff(self, other) <= 0\n"
       "\n"
       "    def __gt__(self, other):\n"
       "        return _ptr_diff(self, other) > 0\n"
       "\n"
       "    def __ge__(self, other):\n"
       "        return _ptr_diff(self, other) >= 0\n"
       "\n"
       "    __hash__ = None",
       nullptr},
      {"_ptr_add",
       "def _ptr_add(p, k):\n"
       "    \"\"\"C pointer arithmetic p + k on a list, bytearray or _Ptr.\"\"\"\n"
       "    if isinstance(p, _Ptr):\n"
       "        return _Ptr(p.buf, p.pos + k)\n"
       "    return _Ptr(p, k)",
       nullptr},
      {"_ptr_diff",
       "def _ptr_diff(p, q):\n"
       "    \"\"\"C pointer difference p - q (both into the same buffer).\"\"\"\n"
       "    return (p.pos if isinstance(p, _Ptr) else 0) - (q.pos if isinstance(q, _Ptr) else 0)",
       nullptr},
      {"_MaxFirst",
       "class _MaxFirst:\n"
       "    \"\"\"heapq entry ordered in reverse: libcpp priority_queue is a max-heap.\"\"\"\n"
       "\n"
       "    __slots__ = (\"value\",)\n"
       "\n"
       "    def __init__(self, value):\n"
       "        self.value = value\n"
       "\n"
       "    def __lt__(self, other):\n"
       "        return other.value < self.value",
       nullptr},
  };
  return kHelpers;
}

}  // namespace

CNum IntOf(int bits, bool is_unsigned) {
  CNum n;
  n.kind = CNum::Kind::kInt;
  n.bits = bits;
  n.is_unsigned = is_unsigned;
  n.non_negative = is_unsigned;
  return n;
}

CNum FloatNum() {
  CNum n;
  n.kind = CNum::Kind::kFloat;
  return n;
}

CNum NumOf(const CType& type, const TypeContext& ctx) {
  if (type.empty()) return {};
  const CType t = ResolveAliases(type, ctx);
  if (t.pointer_depth > 0 || t.memview_dims > 0 || !t.array_dims.empty() ||
      !t.template_args.empty()) {
    return {};
  }
  if (ctx.enums.count(t.base)) return IntOf(32, false);
  if (std::optional<Width> w = WidthOf(t.base)) return IntOf(w->bits, w->is_unsigned);
  switch (Categorize(t, ctx)) {
    case TypeCategory::kInt:
      return IntOf(64, false);  // long, Py_ssize_t, int64_t, npy_intp, ...
    case TypeCategory::kChar:
      return IntOf(8, false);
    case TypeCategory::kBool:
      return IntOf(32, false);
    case TypeCategory::kFloat:
      return FloatNum();
    default:
      return {};
  }
}

CNum Promote(const CNum& a, const CNum& b) {
  if (!a.IsC() || !b.IsC()) return {};
  if (a.IsFloat() || b.IsFloat()) return FloatNum();
  // Integer promotion: everything narrower than int becomes int.
  const int abits = a.bits < 32 ? 32 : a.bits;
  const int bbits = b.bits < 32 ? 32 : b.bits;
  const bool au = a.bits >= 32 && a.is_unsigned;
  const bool bu = b.bits >= 32 && b.is_unsigned;
  CNum r;
  if (abits != bbits) {
    r = abits > bbits ? IntOf(abits, au) : IntOf(bbits, bu);
  } else {
    r = IntOf(abits, au || bu);
  }
  r.literal = a.literal && b.literal;
  return r;
}

std::string WrapTo(const std::string& expr, const CNum& target, std::set<std::string>* helpers) {
  if (target.is_unsigned) {
    const std::vector<Token> toks = Tokenize(expr);
    const bool simple = toks.size() == 1 || (!toks.empty() && toks[0].Is("(") &&
                                             MatchingClose(toks, 0) == toks.size() - 1);
    return (simple ? expr : "(" + expr + ")") + " & " + Mask(target.bits);
  }
  const std::string name = fmt::format("_wrap_i{}", target.bits);
  if (helpers != nullptr) helpers->insert(name);
  return fmt::format("{}({})", name, expr);
}

std::vector<std::string> HelperDefinitions(const std::set<std::string>& given) {
  // Pointer helpers use each other.
  std::set<std::string> used = given;
  if (used.count("_ptr_add") || used.count("_ptr_diff") || used.count("_Ptr")) {
    used.insert({"_Ptr", "_ptr_add", "_ptr_diff"});
  }
  std::vector<std::string> out;
  for (const Helper& h : Helpers()) {
    if (!used.count(h.name)) continue;
    out.push_back(h.source);
    out.push_back("");
    out.push_back("");
  }
  return out;
}

std::vector<std::string> HelperImports(const std::set<std::string>& used) {
  std::vector<std::string> out;
  for (const Helper& h : Helpers()) {
    if (used.count(h.name) && h.import != nullptr) out.push_back(h.import);
  }
  return out;
}

}  // namespace cnake::translate
