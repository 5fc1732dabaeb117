// `resume`: when the outermost IRET retires, the interrupted context is back
// exactly: EIP, CS (low 16 bits), SS, EFLAGS (all but RF), the general
// registers, and every byte of the interrupted stack region at or above the
// interrupted ESP.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct Condition {
  std::string name;
  typename D::Bool holds;
};

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
  if (!stack) return out;
  const auto& esp0 = interrupted.gpr[R_ESP];
  for (const auto& [address, value] : now.mem) {
    if (!stack->contains(address)) continue;
    auto above = d.lnot(d.ult(d.c(address, 32), esp0));
    out.push_back({"stack byte " + hex32(address),
                   d.lor(d.lnot(above), d.eq(value, m.read_byte(interrupted, address)))});
  }
  return out;
}

template <class D>
class ResumeMonitor : public Monitor<D> {
 public:
  ResumeMonitor(const State<D>& interrupted, typename D::Val eip, const Region* stack,
                std::vector<std::string> ignores = {})
      : interrupted_(interrupted), eip_(std::move(eip)), stack_(stack), ignores_(std::move(ignores)) {}

  void after_iret(Machine<D>& m, State<D>& s, const EntryRecord<typename D::Val>&) override {
    if (!s.resumed) return;
    auto conditions = resume_conditions(m, s, interrupted_, eip_, stack_);
    typename D::Bool all = m.d.t();
    std::string differ;
    for (const auto& c : conditions) {
      if (std::find(ignores_.begin(), ignores_.end(), c.name) != ignores_.end()) continue;
      all = m.d.land(all, c.holds);
      if (auto known = m.d.as_const(c.holds); known && !*known) differ += (differ.empty() ? "" : ", ") + c.name;
    }
    m.require(s, "resume", all,
              "the interrupted context is not resumed" + (differ.empty() ? std::string() : ": " + differ + " differ"));
  }

 private:
  State<D> interrupted_;
  typename D::Val eip_;
  const Region* stack_;
  std::vector<std::string> ignores_;
};

}  // namespace ec
