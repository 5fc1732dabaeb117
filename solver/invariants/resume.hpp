// `resume`: when the outermost IRET retires, the interrupted context is back
// exactly: EIP, CS (low 16 bits), SS, EFLAGS (all but RF), the general
// registers, DS/ES/FS/GS (null allowed only where the interrupted selector
// cannot be loaded: segment_may_be_nulled), and every byte of the
// interrupted stack region at or above the interrupted ESP.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "model/semantics/machine.hpp"
#include "solver/invariants/assertions.hpp"

namespace ec {

template <class D>
struct Condition {
  std::string name;
  typename D::Bool holds;
};

// A data-segment selector the kernel may hand back as null: one whose load
// faults (Machine::data_segment_faults, the #GP condition of
// DataMoves::load_segment), or one of the spec's
// selectors with a DPL below the interrupted CPL (IRET to that level nulls
// it; such a context cannot exist, as loading it there faults).
template <class D>
typename D::Bool segment_may_be_nulled(Machine<D>& m, const State<D>& interrupted, const typename D::Val& selector) {
  D& d = m.d;
  auto inner = d.f();
  for (const auto& k : m.config.selectors)
    if (k.dpl < interrupted.cpl) inner = d.lor(inner, d.eq(selector, d.c(k.value, 16)));
  return d.lor(m.data_segment_faults(selector), inner);
}

template <class D>
std::vector<Condition<D>> resume_conditions(Machine<D>& m, const State<D>& now, const State<D>& interrupted,
                                            const typename D::Val& interrupted_eip, const Region* stack) {
  D& d = m.d;
  std::vector<Condition<D>> out;
  out.push_back({"eip", d.eq(now.resumed_eip, interrupted_eip)});
  out.push_back({"cs", d.eq(now.seg[SEG_CS], interrupted.seg[SEG_CS])});
  out.push_back({"ss", d.eq(now.seg[SEG_SS], interrupted.seg[SEG_SS])});
  out.push_back({"eflags", d.eq(d.band(m.eflags(now), d.c(kEflagsResumeMask, 32)),
                                d.band(m.eflags(interrupted), d.c(kEflagsResumeMask, 32)))});
  for (int i = 0; i < kNumGeneral; ++i)
    out.push_back({std::string(gpr_name(i)), d.eq(now.gpr[i], interrupted.gpr[i])});
  // The data segment registers come back too. A virtual-8086 context gets
  // them from the IRET frame, compared as-is (real-mode paragraphs). In
  // protected mode the only legitimate difference is a null selector where
  // the interrupted one cannot be loaded (its reload faulted and the
  // exception-table fixup loaded 0; see segment_may_be_nulled), or where IRET
  // nulled a kernel selector the interrupted privilege level could not hold.
  auto vm86 = m.flag_set(interrupted, FL_VM);
  for (int i : {SEG_ES, SEG_DS, SEG_FS, SEG_GS}) {
    auto nulled = d.land(m.null_selector(now.seg[i]),
                         segment_may_be_nulled(m, interrupted, interrupted.seg[i]));
    out.push_back({std::string(segment_name(i)),
                   d.lor(d.eq(now.seg[i], interrupted.seg[i]), d.land(d.lnot(vm86), nulled))});
  }
  if (!stack) return out;
  const auto& esp0 = interrupted.gpr[R_ESP];
  for (const auto& [address, value] : now.mem) {
    if (!stack->contains(address)) continue;
    // (In virtual-8086 mode ESP is an offset into SS: the whole region counts.)
    auto above = d.lor(vm86, d.lnot(d.ult(d.c(address, 32), esp0)));
    out.push_back({"stack byte " + hex32(address),
                   d.lor(d.lnot(above), d.eq(value, m.read_byte(interrupted, address)))});
  }
  return out;
}

// The condition that `now` brings back `want` for one item of the context:
// EIP with the resumed EIP, EFLAGS under the resume mask, a register or a
// selector with its value.
template <class D>
typename D::Bool brings_back(Machine<D>& m, const State<D>& now, const std::string& name,
                             const typename D::Val& want) {
  D& d = m.d;
  if (name == "eip") return d.eq(now.resumed_eip, want);
  if (name == "eflags") {
    auto mask = d.c(kEflagsResumeMask, 32);
    return d.eq(d.band(m.eflags(now), mask), d.band(want, mask));
  }
  auto reg = reg_by_name(name);
  EC_ASSERT(reg && (reg_info(*reg).family == RegFamily::General || reg_info(*reg).family == RegFamily::Segment),
            "the spec loader checks the names of context items");
  const RegInfo& info = reg_info(*reg);
  return info.family == RegFamily::Segment ? d.eq(now.seg[info.index], want) : d.eq(now.gpr[info.index], want);
}

template <class D>
void replace_condition(std::vector<Condition<D>>& conditions, const std::string& name, typename D::Bool holds) {
  for (auto& c : conditions)
    if (c.name == name) c.holds = holds;
}

// A scenario's `resume_expect`: the named conditions compare with a value
// the event defines (an expression over the interrupted context) instead of
// the interrupted value.
template <class D>
void apply_resume_expectations(Machine<D>& m, const State<D>& now, const State<D>& interrupted,
                               const ResumeExpectations* expect, std::vector<Condition<D>>& conditions) {
  if (!expect) return;
  for (const auto& [name, assertion] : *expect) {
    State<D> at = interrupted;
    auto want = assertion_value(m, at, *assertion.expr);
    replace_condition(conditions, name, brings_back(m, now, name, want));
  }
}

// Items a C function rewrote in the outermost entry's saved frame (contract
// `writes`: signal delivery, the SYSENTER fast path): the return must bring
// back what it wrote, not the interrupted value.
template <class D>
void apply_context_rewrites(Machine<D>& m, const State<D>& now, std::vector<Condition<D>>& conditions) {
  for (const auto& [name, want] : now.context_rewrites) replace_condition(conditions, name, brings_back(m, now, name, want));
}

template <class D>
class ResumeMonitor : public Monitor<D> {
 public:
  ResumeMonitor(const State<D>& interrupted, typename D::Val eip, const Region* stack,
                std::vector<std::string> ignores = {}, const ResumeExpectations* expect = nullptr)
      : interrupted_(interrupted), eip_(std::move(eip)), stack_(stack), ignores_(std::move(ignores)), expect_(expect) {}

  void after_iret(Machine<D>& m, State<D>& s, const EntryRecord<typename D::Val>&) override {
    if (!s.resumed) return;
    auto conditions = resume_conditions(m, s, interrupted_, eip_, stack_);
    apply_resume_expectations(m, s, interrupted_, expect_, conditions);
    apply_context_rewrites(m, s, conditions);
    typename D::Bool all = m.d.t();
    std::string differ;
    for (const auto& c : conditions) {
      if (std::find(ignores_.begin(), ignores_.end(), c.name) != ignores_.end()) continue;
      all = m.d.land(all, c.holds);
      if (auto known = m.d.as_const(c.holds); known && !*known) differ += (differ.empty() ? "" : ", ") + c.name;
    }
    m.require(s, InvariantId::Resume, all,
              "the interrupted context is not resumed" + (differ.empty() ? std::string() : ": " + differ + " differ"));
  }

 private:
  State<D> interrupted_;
  typename D::Val eip_;
  const Region* stack_;
  std::vector<std::string> ignores_;
  const ResumeExpectations* expect_;
};

}  // namespace ec
