// The GNU as layer: statements, .macro expansion, .if, .rept/.irp, sections,
// equates, kernel helpers (ALTERNATIVE, _ASM_EXTABLE, ENTRY) and labels.
#pragma once
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/asm/cpp_macros.hpp"
#include "model/asm/equates.hpp"
#include "model/asm/gas_macros.hpp"
#include "model/asm/loc_text.hpp"
#include "model/asm/parsed.hpp"
#include "model/asm/sections.hpp"

namespace ec::asmfe {

// Bounds on what .rept, .irp, .irpc and .macro may expand to, in all, for one
// program (docs/cli.md "Limits"): nested or recursive repetition grows
// exponentially, and its statements are held in memory.
constexpr size_t kMaxExpandedStatements = 1000000;
constexpr size_t kMaxExpandedBytes = size_t{64} << 20;

class GasProcessor {
 public:
  GasProcessor(const FrontEndOptions& options, const CppMacros& cpp);
  // Consumes preprocessed lines; fills statements, equates and globals of `out`.
  void run(const std::vector<LocText>& lines, ParsedSource& out);

 private:
  struct IfState {
    bool parent_active = true;
    bool taken = false;
    bool active = false;
    bool seen_else = false;
    SourceLocation loc;
    size_t macro_depth = 0;  // expansions around the .if: .exitm closes the inner ones
  };

  // gas_processor.cpp: the statement loop, conditionals, macros, repetition.
  void process(const RawStmt& s);
  bool active() const { return ifs_.empty() || ifs_.back().active; }
  bool conditional(const RawStmt& s, const std::string& word, const LocText& rest, const SourceLocation& loc);
  bool test_condition(const std::string& word, const LocText& rest, const SourceLocation& loc);
  LocText strip_labels(const RawStmt& s, LocText t);
  void dispatch(const RawStmt& s, const LocText& t);
  void define_macro(const RawStmt& s, const LocText& rest);
  std::vector<RawStmt> collect_body(const SourceLocation& start, const std::string& what,
                                    const std::set<std::string>& openers, const std::string& closer);
  void expand_macro(const GasMacro& m, const RawStmt& call, const LocText& t, size_t name_end);
  void expand_rept(const RawStmt& s, const LocText& rest);
  void expand_irp(const RawStmt& s, const LocText& rest);
  void expand_irpc(const RawStmt& s, const LocText& rest);
  void repeat_with(const std::vector<RawStmt>& body, const std::string& param, const std::vector<LocText>& values);
  void exit_macro(const RawStmt& s);
  void push_front(const std::vector<RawStmt>& stmts);
  void push_text(const RawStmt& origin, const LocText& text);
  int64_t eval(const LocText& t);
  std::optional<int64_t> lookup(const std::string& name, int depth);

  // gas_directives.cpp: directives, equates, kernel helpers, emission.
  void directive(const RawStmt& s, const std::string& word, const LocText& rest, const SourceLocation& loc);
  void section_directive(const std::string& word, const LocText& rest, const SourceLocation& loc);
  void data_directive(const RawStmt& s, const LocText& rest, const SourceLocation& loc);
  void set_equate(const LocText& name, const LocText& value, bool once = false);
  bool builtin_call(const RawStmt& s, const std::string& word, const LocText& t, size_t name_end);
  void alternative(const RawStmt& s, const std::vector<LocText>& args, const SourceLocation& loc);
  bool has_feature(const LocText& feature) const;
  void extable(const RawStmt& s, ExprPtr from, ExprPtr to, const SourceLocation& loc);
  void emit_label(const RawStmt& s, const std::string& name, const SourceLocation& loc);
  void emit_instruction(const RawStmt& s, const LocText& t);
  Statement make_statement(const RawStmt& s, Statement::Kind kind, const SourceLocation& loc) const;

  const FrontEndOptions& options_;
  const CppMacros& cpp_;
  ParsedSource* out_ = nullptr;
  std::deque<RawStmt> queue_;
  std::map<std::string, GasMacro> macros_;  // by lowercase name: GNU as ignores case
  std::vector<IfState> ifs_;
  SectionTracker sections_;
  std::set<std::string> labels_;
  EquateTable equates_;
  int macro_counter_ = 0;  // \@
  std::vector<std::string> pending_prefixes_;
  SourceLocation expanding_;  // the statement being processed: where an expansion limit is hit
  size_t expanded_statements_ = 0, expanded_bytes_ = 0;
  std::optional<std::pair<ExprPtr, SourceLocation>> extable_half_;  // __ex_table ".long x - ."
};

}  // namespace ec::asmfe
