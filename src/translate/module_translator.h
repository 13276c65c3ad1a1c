// The translation driver: walks logical lines with a stack of block frames
// (class, function, struct, enum, extern, nogil, ...) and dispatches each
// statement to the concept that rewrites it. One instance translates one
// module; not thread-safe, but instances are independent.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "translate/ctypes.h"
#include "translate/declarations.h"
#include "translate/expressions.h"
#include "translate/lexer.h"
#include "translate/translator.h"

namespace cnake::translate {

class ModuleTranslator {
 public:
  explicit ModuleTranslator(std::string_view source);
  Translation Run();

 private:
  enum class FrameKind {
    kModule,
    kClass,
    kFunction,
    kBlock,
    kDedent,
    kSkip,
    kCommentOut,
    kStruct,
    kEnum,
    kFused,
    kExtern,
    kDeclBlock,
  };
  struct Frame {
    FrameKind kind = FrameKind::kModule;
    int header_width = -1;
    int body_width = -1;
    int dedent = 0;                 // columns removed from lines inside (kDedent, kDeclBlock)
    std::string out_indent;         // indentation of the header in the output
    std::string name;               // class, struct, enum or fused name; reason for kCommentOut
    std::string text;               // decl prefix (kDeclBlock), header (kExtern)
    int line = 0;                   // header line number
    bool flag = false;              // kClass: has __init__; kStruct: is union
    std::vector<std::string> body;  // collected statements (struct, enum, fused)
    std::vector<std::string> out;   // kExtern: buffered output
    std::vector<UntranslatedLine> pending;  // kExtern: untranslated members
    std::set<std::string> saved_pointers;
    std::map<std::string, int> saved_memviews;
    std::vector<std::string> instance_fields;  // kClass: "self.x = [0] * 16" for __init__
    std::string body_indent;                   // kClass: output indentation of the body
    std::map<std::string, CType> saved_var_types;
    std::set<std::string> saved_boxed;
    CType saved_return_type;
    bool saved_cdivision = false;
  };

  void Process(const LogicalLine& ll);
  // Enters a function body: parameter types, return type, cdivision and
  // address-taken locals for the C-semantics rewrites.
  void EnterFunctionScope(const LogicalLine& ll, const Signature& sig);
  void AppendHelpers(std::vector<std::string>* imports) const;
  // Emits a cdef class's per-instance fields at the top of its __init__.
  void EmitInstanceFields(const LogicalLine& init, Frame& cls);
  void ProcessComment(const LogicalLine& ll);
  void PopFrames(int width);
  void PopFrame();
  void Push(Frame f);
  int TotalDedent() const;
  std::string OutIndent(const LogicalLine& ll) const;

  void Emit(const LogicalLine& ll, const std::string& text);
  void EmitAt(const std::string& indent, const std::string& text);
  void EmitUntranslated(const LogicalLine& ll, const std::string& reason);
  // Untranslated header: its whole block is commented out too.
  void EmitUntranslatedBlock(const LogicalLine& ll, const std::string& reason);
  void EmitRewritten(const LogicalLine& ll, const std::string& body);

  void HandleStatement(const LogicalLine& ll, const std::string& body);
  void HandleCdef(const LogicalLine& ll, const std::string& body);
  void HandleClass(const LogicalLine& ll, const std::vector<Token>& toks, const std::string& body,
                   size_t class_at);
  bool HandleFunction(const LogicalLine& ll, const std::string& body);
  void HandleDeclaration(const LogicalLine& ll, const std::string& after_cdef);
  bool HandleWith(const LogicalLine& ll, const std::string& body);
  // Whether local `name`, declared without a value at `decl`, is certainly
  // assigned (or used as a loop variable) by a statement of the declaring
  // block before anything else mentions it. When not, it gets a typed zero.
  bool AssignedBeforeUse(const LogicalLine& decl, const std::string& name) const;
  bool HandleImport(const LogicalLine& ll, const std::string& body);
  void HandleExternMember(const LogicalLine& ll, Frame& frame);
  void OpenCollector(const LogicalLine& ll, FrameKind kind, const std::string& name,
                     const std::string& suite);

  std::optional<std::string> Hint(const CType& type);
  void Note(std::string note);
  void AddImport(const std::string& module, const std::string& name);

  std::string source_;
  std::vector<LogicalLine> lines_;
  TypeContext types_;
  std::set<std::string> python_numpy_aliases_;
  ExprEnv env_;
  std::set<std::string> c_names_;                  // C library names brought in by cimport/extern
  std::map<std::string, FunctionInfo> functions_;  // module functions and constructors
  std::set<std::string> helpers_;                  // helper definitions the output uses
  std::optional<bool> pending_cdivision_;          // from @cython.cdivision(...)
  std::set<std::string> address_taken_;            // &x in the current function's body
  std::vector<Frame> stack_;
  std::vector<std::string> out_;
  std::map<std::string, std::set<std::string>> imports_;  // module -> names
  bool lazy_annotations_ = false;
  int pending_blanks_ = 0;  // blank lines seen inside a block that emits later
  Translation result_;
  std::set<std::string> seen_notes_;
};

}  // namespace cnake::translate
