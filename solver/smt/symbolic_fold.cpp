// The symbolic domain's operations: terms folded in C++ before Z3 sees them
// (docs/performance.md).
#include "solver/smt/symbolic_domain.hpp"

#include "model/base/diagnostic.hpp"
#include "solver/smt/z3_terms.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace ec {

using namespace z3terms;
// ---------------------------------------------------------------- folding
//
// Every Val/Bool the domain hands out is "folded": a numeral when its value
// is known, else a term no bigger than what was built. The rules below are
// the cheap, exact ones; Z3's simplifier runs on what is left when the term
// is small (its cost is the size of the whole DAG, and the NMI clobbers build
// ite chains as deep as the path is long: those are kept out of its sight).

namespace {

z3::expr arg(const z3::expr& e, unsigned i) { return e.arg(i); }
uint64_t sign_extend(uint64_t v, int w) {
  if (w >= 64) return v;
  return (v >> (w - 1)) & 1 ? v | ~((uint64_t{1} << w) - 1) : v;
}

}  // namespace

bool SymbolicDomain::num(const z3::expr& e, uint64_t& v) const {
  if (Z3_get_ast_kind(ctx_, e) != Z3_NUMERAL_AST) return false;
  // The rules compute in uint64_t with mask(width): a numeral wider than 64
  // bits (concat and zext reach 128) is left to Z3 even when its value fits.
  if (bv_width(e) > 64) return false;
  return Z3_get_numeral_uint64(ctx_, e, &v);
}

// Walks the DAG under `root` without entering "opaque" nodes: ites on a
// Boolean input (the NMI clobbers' chains, as deep as the path is long).
// Collects those; false when there are more than small_limit_ other nodes.
bool SymbolicDomain::walk(Z3_ast root, std::vector<Z3_ast>& opaque) {
  constexpr size_t kSlots = 1024;  // > 4 * the largest limit
  if (seen_.size() != kSlots) seen_.assign(kSlots, {nullptr, 0});
  if (++generation_ == 0) {
    seen_.assign(kSlots, {nullptr, 0});
    generation_ = 1;
  }
  auto insert = [&](Z3_ast a) {  // false when already seen
    size_t h = (reinterpret_cast<uintptr_t>(a) >> 4) * 0x9e3779b97f4a7c15ull >> 54;
    for (;; h = (h + 1) & (kSlots - 1)) {
      auto& slot = seen_[h];
      if (slot.second != generation_) {
        slot = {a, generation_};
        return true;
      }
      if (slot.first == a) return false;
    }
  };
  unsigned limit = std::min<unsigned>(small_limit_, kSlots / 4);
  unsigned count = 0, inserted = 0;
  todo_.clear();
  todo_.push_back(root);
  while (!todo_.empty()) {
    Z3_ast a = todo_.back();
    todo_.pop_back();
    if (!insert(a)) continue;
    if (++inserted > kSlots / 2) return false;
    if (Z3_get_ast_kind(ctx_, a) != Z3_APP_AST) continue;
    Z3_app app = Z3_to_app(ctx_, a);
    unsigned k = Z3_get_app_num_args(ctx_, app);
    if (k == 0) continue;  // constants and numerals are free
    if (a != root && k == 3 && Z3_get_decl_kind(ctx_, Z3_get_app_decl(ctx_, app)) == Z3_OP_ITE) {
      Z3_ast c = Z3_get_app_arg(ctx_, app, 0);
      if (Z3_get_ast_kind(ctx_, c) == Z3_APP_AST && Z3_get_app_num_args(ctx_, Z3_to_app(ctx_, c)) == 0 &&
          Z3_get_decl_kind(ctx_, Z3_get_app_decl(ctx_, Z3_to_app(ctx_, c))) == Z3_OP_UNINTERPRETED) {
        opaque.push_back(a);
        continue;
      }
    }
    if (++count > limit) return false;
    for (unsigned i = 0; i < k; ++i) todo_.push_back(Z3_get_app_arg(ctx_, app, i));
  }
  return true;
}

// Z3's simplifier on a term with no more than small_limit_ nodes outside its
// opaque subterms, which stand in as fresh constants: the rewriter never
// walks the deep chains, and the result is equivalent for every value of
// them. Memoised by term.
z3::expr SymbolicDomain::simplify_small(const z3::expr& e, const std::vector<Z3_ast>& opaque) {
  unsigned id = Z3_get_ast_id(ctx_, e);
  if (auto it = simplified_.find(id); it != simplified_.end()) {
    counters_.simplify_hits += 1;
    return it->second.second;
  }
  counters_.simplify_calls += 1;
  z3::expr r(ctx_);
  if (opaque.empty()) {
    r = e.simplify();
  } else {
    counters_.abstracted += 1;
    z3::expr_vector from(ctx_), to(ctx_);
    for (Z3_ast o : opaque) {
      z3::expr x(ctx_, o);
      from.push_back(x);
      to.push_back(ctx_.constant(("ec!opaque." + std::to_string(Z3_get_ast_id(ctx_, o))).c_str(), x.get_sort()));
    }
    z3::expr abstracted = z3::expr(e).substitute(from, to);
    r = abstracted.simplify().substitute(to, from);
  }
  simplified_.emplace(id, std::make_pair(e, r));
  return r;
}

z3::expr SymbolicDomain::fold(const z3::expr& e) {
  counters_.ops += 1;
  if (fold_mode_ == FoldMode::Z3) {
    counters_.simplify_calls += 1;
    return e.simplify();
  }
  opaque_.clear();
  if (walk(e, opaque_)) return simplify_small(e, opaque_);
  counters_.raw += 1;
  return e;
}

// Each operation: numerals first, then local identities, then fold().
#define EC_FAST (fold_mode_ == FoldMode::Fast)
#define EC_NUMERAL(expr)          \
  do {                            \
    counters_.ops += 1;           \
    counters_.numeral_folds += 1; \
    return (expr);                \
  } while (0)
#define EC_LOCAL(expr)          \
  do {                          \
    counters_.ops += 1;         \
    counters_.local_folds += 1; \
    return (expr);              \
  } while (0)

SymbolicDomain::Val SymbolicDomain::add(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(num_val(x + y, width(a)));
    if (nx && x == 0) EC_LOCAL(b);
    if (ny && y == 0) EC_LOCAL(a);
  }
  return fold(a.e + b.e);
}

SymbolicDomain::Val SymbolicDomain::sub(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(num_val(x - y, width(a)));
    if (ny && y == 0) EC_LOCAL(a);
    if (same(a.e, b.e)) EC_LOCAL(c(0, width(a)));
  }
  return fold(a.e - b.e);
}

SymbolicDomain::Val SymbolicDomain::band(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    int w = width(a);
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(num_val(x & y, w));
    if ((nx && x == 0) || (ny && y == 0)) EC_LOCAL(c(0, w));
    if (nx && x == mask(w)) EC_LOCAL(b);
    if (ny && y == mask(w)) EC_LOCAL(a);
    if (same(a.e, b.e)) EC_LOCAL(a);
    // A mask over a concatenation works part by part: parts it clears
    // become zero (the CS dword: `andl $0xffff` over junk ++ selector).
    if (nx || ny) {
      const Val& v = nx ? b : a;
      if (auto parts = split(v.e)) return by_parts(*parts, nx ? x : y, /*is_and=*/true);
    }
  }
  return fold(a.e & b.e);
}

SymbolicDomain::Val SymbolicDomain::bor(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    int w = width(a);
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(num_val(x | y, w));
    if ((nx && x == mask(w)) || (ny && y == mask(w))) EC_LOCAL(num_val(mask(w), w));
    if (nx && x == 0) EC_LOCAL(b);
    if (ny && y == 0) EC_LOCAL(a);
    if (same(a.e, b.e)) EC_LOCAL(a);
    if (nx || ny) {
      const Val& v = nx ? b : a;
      if (auto parts = split(v.e)) return by_parts(*parts, nx ? x : y, /*is_and=*/false);
    }
  }
  return fold(a.e | b.e);
}

// The parts of a concatenation (or zero extension), least significant first.
std::optional<std::vector<z3::expr>> SymbolicDomain::split(const z3::expr& e) {
  Z3_decl_kind k = kind_of(ctx_, e);
  if (k == Z3_OP_ZERO_EXT) {
    z3::expr inner = arg(e, 0);
    return std::vector<z3::expr>{inner, ctx_.bv_val(0, static_cast<unsigned>(width(e) - width(inner)))};
  }
  if (k != Z3_OP_CONCAT) return std::nullopt;
  std::vector<z3::expr> parts;
  for (unsigned i = e.num_args(); i-- > 0;) parts.push_back(arg(e, i));
  return parts;
}

// AND (or OR) of a numeral with the concatenation of `parts`, part by part.
SymbolicDomain::Val SymbolicDomain::by_parts(const std::vector<z3::expr>& parts, uint64_t k, bool is_and) {
  counters_.local_folds += 1;
  std::optional<Val> out;
  int offset = 0;
  for (const auto& part : parts) {
    int pw = width(part);
    Val slice = num_val(k >> offset, pw);
    Val v = is_and ? band(part, slice) : bor(part, slice);
    out = out ? concat(v, *out) : v;
    offset += pw;
  }
  return *out;
}

SymbolicDomain::Val SymbolicDomain::bxor(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    int w = width(a);
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(num_val(x ^ y, w));
    if (nx && x == 0) EC_LOCAL(b);
    if (ny && y == 0) EC_LOCAL(a);
    if (same(a.e, b.e)) EC_LOCAL(c(0, w));
  }
  return fold(a.e ^ b.e);
}

SymbolicDomain::Val SymbolicDomain::bnot(const Val& a) {
  if (EC_FAST) {
    uint64_t x;
    if (num(a.e, x)) EC_NUMERAL(num_val(~x, width(a)));
    if (kind_of(ctx_, a.e) == Z3_OP_BNOT) EC_LOCAL(arg(a.e, 0));
  }
  return fold(~a.e);
}

SymbolicDomain::Val SymbolicDomain::neg(const Val& a) {
  if (EC_FAST) {
    uint64_t x;
    if (num(a.e, x)) EC_NUMERAL(num_val(uint64_t{0} - x, width(a)));
  }
  return fold(-a.e);
}

SymbolicDomain::Val SymbolicDomain::shl(const Val& a, const Val& n) {
  if (EC_FAST) {
    uint64_t x, k;
    int w = width(a);
    bool nx = num(a.e, x), nk = num(n.e, k);
    if (nx && nk) EC_NUMERAL(num_val(k >= static_cast<uint64_t>(w) ? 0 : x << k, w));
    if (nk && k == 0) EC_LOCAL(a);
    if (nx && x == 0) EC_LOCAL(a);
  }
  return fold(z3::shl(a.e, n.e));
}

SymbolicDomain::Val SymbolicDomain::lshr(const Val& a, const Val& n) {
  if (EC_FAST) {
    uint64_t x, k;
    int w = width(a);
    bool nx = num(a.e, x), nk = num(n.e, k);
    if (nx && nk) EC_NUMERAL(num_val(k >= static_cast<uint64_t>(w) ? 0 : x >> k, w));
    if (nk && k == 0) EC_LOCAL(a);
    if (nx && x == 0) EC_LOCAL(a);
  }
  return fold(z3::lshr(a.e, n.e));
}

SymbolicDomain::Val SymbolicDomain::ashr(const Val& a, const Val& n) {
  if (EC_FAST) {
    uint64_t x, k;
    int w = width(a);
    bool nx = num(a.e, x), nk = num(n.e, k);
    if (nx && nk) {
      uint64_t s = sign_extend(x, w);
      uint64_t shift = k >= static_cast<uint64_t>(w) ? static_cast<uint64_t>(w - 1) : k;
      EC_NUMERAL(num_val(static_cast<uint64_t>(static_cast<int64_t>(s) >> shift), w));
    }
    if (nk && k == 0) EC_LOCAL(a);
    if (nx && x == 0) EC_LOCAL(a);
  }
  return fold(z3::ashr(a.e, n.e));
}

SymbolicDomain::Val SymbolicDomain::extract(const Val& a, int hi, int lo) {
  if (EC_FAST) {
    int w = width(a);
    uint64_t x;
    if (num(a.e, x)) EC_NUMERAL(num_val(x >> lo, hi - lo + 1));
    if (hi == w - 1 && lo == 0) EC_LOCAL(a);
    switch (kind_of(ctx_, a.e)) {
      case Z3_OP_EXTRACT: {
        int inner_lo = static_cast<int>(a.e.lo());
        counters_.local_folds += 1;
        return extract(arg(a.e, 0), hi + inner_lo, lo + inner_lo);
      }
      case Z3_OP_CONCAT: {
        // Arguments from the most significant; find the one holding [lo, hi].
        unsigned k = a.e.num_args();
        int offset = 0;
        for (unsigned i = k; i-- > 0;) {
          z3::expr part = arg(a.e, i);
          int pw = bv_width(part);
          if (lo >= offset && hi < offset + pw) {
            counters_.local_folds += 1;
            return extract(part, hi - offset, lo - offset);
          }
          if (lo < offset + pw) break;  // spans parts
          offset += pw;
        }
        break;
      }
      case Z3_OP_ZERO_EXT: {
        z3::expr inner = arg(a.e, 0);
        int iw = bv_width(inner);
        if (hi < iw) {
          counters_.local_folds += 1;
          return extract(inner, hi, lo);
        }
        if (lo >= iw) EC_LOCAL(c(0, hi - lo + 1));
        break;
      }
      case Z3_OP_SIGN_EXT: {
        z3::expr inner = arg(a.e, 0);
        if (hi < bv_width(inner)) {
          counters_.local_folds += 1;
          return extract(inner, hi, lo);
        }
        break;
      }
      default: break;
    }
  }
  return fold(a.e.extract(hi, lo));
}

SymbolicDomain::Val SymbolicDomain::zext(const Val& a, int w) {
  int aw = width(a);
  if (w == aw) return a;
  if (EC_FAST) {
    uint64_t x;
    if (w <= 64 && num(a.e, x)) EC_NUMERAL(c(x, w));
  }
  return fold(z3::zext(a.e, w - aw));
}

SymbolicDomain::Val SymbolicDomain::sext(const Val& a, int w) {
  int aw = width(a);
  if (w == aw) return a;
  if (EC_FAST) {
    uint64_t x;
    if (w <= 64 && num(a.e, x)) EC_NUMERAL(num_val(sign_extend(x, aw), w));
  }
  return fold(z3::sext(a.e, w - aw));
}

SymbolicDomain::Val SymbolicDomain::concat(const Val& hi, const Val& lo) {
  if (EC_FAST) {
    uint64_t x, y;
    int lw = width(lo);
    if (lw + width(hi) <= 64 && num(hi.e, x) && num(lo.e, y)) EC_NUMERAL(c((x << lw) | y, lw + width(hi)));
    // extract(h, m+1, v) ++ extract(m, l, v) = extract(h, l, v)
    if (kind_of(ctx_, hi.e) == Z3_OP_EXTRACT && kind_of(ctx_, lo.e) == Z3_OP_EXTRACT) {
      z3::expr v = arg(hi.e, 0);
      if (same(v, arg(lo.e, 0)) && hi.e.lo() == lo.e.hi() + 1) {
        counters_.local_folds += 1;
        return extract(v, static_cast<int>(hi.e.hi()), static_cast<int>(lo.e.lo()));
      }
    }
  }
  return fold(z3::concat(hi.e, lo.e));
}

SymbolicDomain::Val SymbolicDomain::ite(const Bool& c, const Val& a, const Val& b) {
  if (EC_FAST) {
    if (c.e.is_true()) EC_LOCAL(a);
    if (c.e.is_false()) EC_LOCAL(b);
    if (same(a.e, b.e)) EC_LOCAL(a);
    // The NMI clobbers: ite(fresh Boolean input, fresh byte, old byte). With a
    // condition that is a Boolean input and branches that are not ites on it,
    // Z3's rewriter has nothing to do (its ite rules look at the condition's
    // value and negation, equal branches, and branches that are ites on the
    // same condition), so the term is built as it is.
    if (atom(c.e) && !ite_on(a.e, c.e) && !ite_on(b.e, c.e)) {
      counters_.ops += 1;
      counters_.raw += 1;
      return z3::ite(c.e, a.e, b.e);
    }
  }
  return fold(z3::ite(c.e, a.e, b.e));
}

bool SymbolicDomain::atom(const z3::expr& e) const {
  Z3_ast a = e;
  if (Z3_get_ast_kind(ctx_, a) != Z3_APP_AST) return false;
  Z3_app app = Z3_to_app(ctx_, a);
  return Z3_get_app_num_args(ctx_, app) == 0 &&
         Z3_get_decl_kind(ctx_, Z3_get_app_decl(ctx_, app)) == Z3_OP_UNINTERPRETED;
}

bool SymbolicDomain::ite_on(const z3::expr& e, const z3::expr& cond) const {
  if (kind_of(ctx_, e) != Z3_OP_ITE) return false;
  return Z3_is_eq_ast(ctx_, Z3_get_app_arg(ctx_, Z3_to_app(ctx_, e), 0), cond);
}

SymbolicDomain::Bool SymbolicDomain::eq(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(bool_val(x == y));
    if (same(a.e, b.e)) EC_LOCAL(t());
    if ((ny && upper_bound(a.e) < y) || (nx && upper_bound(b.e) < x)) EC_LOCAL(f());
  }
  return fold(a.e == b.e);
}

SymbolicDomain::Bool SymbolicDomain::ult(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    bool nx = num(a.e, x), ny = num(b.e, y);
    if (nx && ny) EC_NUMERAL(bool_val(x < y));
    if (ny && y == 0) EC_LOCAL(f());
    if (same(a.e, b.e)) EC_LOCAL(f());
    // `andl $0xff, %ecx; cmpl $0x100, %ecx`: the mask bounds the value.
    if (ny && upper_bound(a.e) < y) EC_LOCAL(t());
    if (nx && upper_bound(b.e) <= x) EC_LOCAL(f());
  }
  return fold(z3::ult(a.e, b.e));
}

// A bound on the unsigned value of e from its outermost operation.
uint64_t SymbolicDomain::upper_bound(const z3::expr& e) const {
  uint64_t x;
  if (num(e, x)) return x;
  int w = bv_width(e);
  uint64_t bound = mask(w);
  switch (kind_of(ctx_, e)) {
    case Z3_OP_BAND:
      for (unsigned i = 0; i < e.num_args(); ++i)
        if (num(arg(e, i), x)) bound = std::min(bound, x);
      break;
    case Z3_OP_ZERO_EXT: bound = mask(bv_width(arg(e, 0))); break;
    case Z3_OP_CONCAT: {
      z3::expr top = arg(e, 0);
      if (num(top, x) && x == 0) bound = mask(w - bv_width(top));
      break;
    }
    case Z3_OP_BLSHR:
      if (num(arg(e, 1), x)) bound = x >= static_cast<uint64_t>(w) ? 0 : mask(w) >> x;
      break;
    default: break;
  }
  return bound;
}

SymbolicDomain::Bool SymbolicDomain::slt(const Val& a, const Val& b) {
  if (EC_FAST) {
    uint64_t x, y;
    int w = width(a);
    if (num(a.e, x) && num(b.e, y))
      EC_NUMERAL(bool_val(static_cast<int64_t>(sign_extend(x, w)) < static_cast<int64_t>(sign_extend(y, w))));
    if (same(a.e, b.e)) EC_LOCAL(f());
  }
  return fold(a.e < b.e);
}

SymbolicDomain::Bool SymbolicDomain::lnot(const Bool& a) {
  if (EC_FAST) {
    if (a.e.is_true()) EC_NUMERAL(f());
    if (a.e.is_false()) EC_NUMERAL(t());
    if (kind_of(ctx_, a.e) == Z3_OP_NOT) EC_LOCAL(arg(a.e, 0));
  }
  return fold(!a.e);
}

SymbolicDomain::Bool SymbolicDomain::land(const Bool& a, const Bool& b) {
  if (EC_FAST) {
    if (a.e.is_false() || b.e.is_false()) EC_NUMERAL(f());
    if (a.e.is_true()) EC_LOCAL(b);
    if (b.e.is_true()) EC_LOCAL(a);
    if (same(a.e, b.e)) EC_LOCAL(a);
  }
  return fold(a.e && b.e);
}

SymbolicDomain::Bool SymbolicDomain::lor(const Bool& a, const Bool& b) {
  if (EC_FAST) {
    if (a.e.is_true() || b.e.is_true()) EC_NUMERAL(t());
    if (a.e.is_false()) EC_LOCAL(b);
    if (b.e.is_false()) EC_LOCAL(a);
    if (same(a.e, b.e)) EC_LOCAL(a);
  }
  return fold(a.e || b.e);
}

SymbolicDomain::Bool SymbolicDomain::lxor(const Bool& a, const Bool& b) {
  if (EC_FAST) {
    auto ka = as_const(a), kb = as_const(b);
    if (ka && kb) EC_NUMERAL(bool_val(*ka != *kb));
    if (ka) return *ka ? lnot(b) : b;
    if (kb) return *kb ? lnot(a) : a;
    if (same(a.e, b.e)) EC_LOCAL(f());
  }
  return fold(a.e != b.e);
}

SymbolicDomain::Bool SymbolicDomain::bit(const Val& a, int i) {
  if (EC_FAST) {
    Val b = extract(a, i, i);
    uint64_t x;
    if (num(b.e, x)) EC_NUMERAL(bool_val(x != 0));
    return fold(b.e == ctx_.bv_val(1, 1));
  }
  return fold(a.e.extract(i, i) == ctx_.bv_val(1, 1));
}

SymbolicDomain::Val SymbolicDomain::from_bool(const Bool& b) {
  if (EC_FAST) {
    if (auto k = as_const(b)) EC_NUMERAL(c(*k ? 1 : 0, 1));
  }
  return fold(z3::ite(b.e, ctx_.bv_val(1, 1), ctx_.bv_val(0, 1)));
}

SymbolicDomain::Bool SymbolicDomain::bool_ite(const Bool& c, const Bool& a, const Bool& b) {
  if (EC_FAST) {
    if (c.e.is_true()) EC_LOCAL(a);
    if (c.e.is_false()) EC_LOCAL(b);
    if (same(a.e, b.e)) EC_LOCAL(a);
    auto ka = as_const(a), kb = as_const(b);
    if (ka && kb) return *ka ? c : lnot(c);  // (true, false) or (false, true)
  }
  return fold(z3::ite(c.e, a.e, b.e));
}

#undef EC_FAST
#undef EC_NUMERAL
#undef EC_LOCAL

}  // namespace ec
