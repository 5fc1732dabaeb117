#include "solver/symbolic_domain.hpp"

#include "model/diagnostic.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace ec {

z3::context& thread_z3() {
  // Never destroyed: deleting a Z3 4.8 context costs time that grows with
  // the depth of the terms it held, and the explorer leaves its terms alive
  // for the OS (solver/explorer.cpp): with the NMI clobbers' ite chains,
  // deleting the context took longer than the exploration that filled it
  // (docs/performance.md). One per worker thread; the process reclaims it.
  thread_local z3::context* ctx = new z3::context;
  return *ctx;
}

namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

}  // namespace

SymbolicDomain::SymbolicDomain(unsigned timeout_ms)
    : ctx_(thread_z3()),
      solver_(ctx_),
      seg_valid_(ctx_.function("seg_valid", ctx_.bv_sort(16), ctx_.bool_sort())) {
  z3::params p(ctx_);
  p.set("timeout", timeout_ms);
  solver_.set(p);
  if (const char* v = env("EC_FOLD")) {
    if (!std::strcmp(v, "z3")) fold_mode_ = FoldMode::Z3;
    else if (!std::strcmp(v, "fast")) fold_mode_ = FoldMode::Fast;
    else throw std::runtime_error(std::string("EC_FOLD: expected fast or z3, got '") + v + "'");
  }
  if (const char* v = env("EC_SOLVER_MODE")) {
    if (!std::strcmp(v, "fresh")) solver_mode_ = SolverMode::Fresh;
    else if (!std::strcmp(v, "scoped")) solver_mode_ = SolverMode::Scoped;
    else if (!std::strcmp(v, "assume") || !std::strcmp(v, "incremental")) solver_mode_ = SolverMode::Assume;
    else throw std::runtime_error(std::string("EC_SOLVER_MODE: expected assume, scoped or fresh, got '") + v + "'");
  }
  if (const char* v = env("EC_QUERY_CACHE")) query_cache_on_ = std::strcmp(v, "0") != 0;
  if (const char* v = env("EC_FOLD_LIMIT")) small_limit_ = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
  if (const char* v = env("EC_DOMAIN_STATS")) print_stats_ = std::strcmp(v, "0") != 0;
  if (const char* v = env("EC_FOLD_AUDIT")) audit_ = std::strcmp(v, "0") != 0;
  if (const char* v = env("EC_MODEL_REUSE")) model_reuse_ = std::strcmp(v, "0") != 0;
}

SymbolicDomain::~SymbolicDomain() {
  if (print_stats_ && !stats_printed_) print_counters();
}

const SolverStats& SymbolicDomain::stats() const {
  if (print_stats_ && !stats_printed_) print_counters();
  return stats_;
}

void SymbolicDomain::print_counters() const {
  stats_printed_ = true;
  const Counters& k = counters_;
  std::fprintf(stderr,
               "domain: fold=%s solver=%s cache=%s reuse=%s ops=%zu numeral=%zu local=%zu simplify=%zu "
               "simplify_hits=%zu raw=%zu abstracted=%zu queries=%zu (decide %zu, concretize %zu) model_hits=%zu "
               "one_sided=%zu cache_hits=%zu indicators=%zu pushes=%zu pops=%zu solver_s=%.3f\n",
               fold_mode_ == FoldMode::Z3 ? "z3" : "fast",
               solver_mode_ == SolverMode::Fresh    ? "fresh"
               : solver_mode_ == SolverMode::Scoped ? "scoped"
                                                    : "assume",
               query_cache_on_ ? "on" : "off", model_reuse_ ? "on" : "off", k.ops, k.numeral_folds, k.local_folds,
               k.simplify_calls, k.simplify_hits, k.raw, k.abstracted, stats_.queries, k.decide_queries,
               k.concretize_queries, k.model_hits, k.one_sided, k.cache_hits, k.indicators, k.scope_pushes,
               k.scope_pops, stats_.seconds);
}

// A query Z3's simplifier would have answered (or a value it would have
// made a numeral) that the fast folding left to the solver: a missed rule.
void SymbolicDomain::audit(const char* where, bool z3_folds, const z3::expr& e) const {
  if (z3_folds) std::fprintf(stderr, "fold audit: %s: Z3's simplifier folds %s\n", where, e.to_string().c_str());
}

// ---------------------------------------------------------------- folding
//
// Every Val/Bool the domain hands out is "folded": a numeral when its value
// is known, else a term no bigger than what was built. The rules below are
// the cheap, exact ones; Z3's simplifier runs on what is left when the term
// is small (its cost is the size of the whole DAG, and the NMI clobbers build
// ite chains as deep as the path is long: those are kept out of its sight).

namespace {

Z3_decl_kind kind_of(Z3_context c, Z3_ast a) {
  if (Z3_get_ast_kind(c, a) != Z3_APP_AST) return Z3_OP_UNINTERPRETED;
  return Z3_get_decl_kind(c, Z3_get_app_decl(c, Z3_to_app(c, a)));
}
z3::expr arg(const z3::expr& e, unsigned i) { return e.arg(i); }
bool same(const z3::expr& a, const z3::expr& b) { return Z3_is_eq_ast(a.ctx(), a, b); }
uint64_t sign_extend(uint64_t v, int w) {
  if (w >= 64) return v;
  return (v >> (w - 1)) & 1 ? v | ~((uint64_t{1} << w) - 1) : v;
}
int bv_width(const z3::expr& e) { return static_cast<int>(Z3_get_bv_sort_size(e.ctx(), Z3_get_sort(e.ctx(), e))); }

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

// ---------------------------------------------------------------- solving

size_t SymbolicDomain::QueryHash::operator()(const std::vector<unsigned>& k) const {
  uint64_t h = 1469598103934665603ull;
  for (unsigned x : k) h = (h ^ x) * 1099511628211ull;
  return static_cast<size_t>(h);
}

z3::check_result SymbolicDomain::check(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  auto started = std::chrono::steady_clock::now();
  if (fold_mode_ == FoldMode::Fast && extra) {
    // The explorer negates obligations itself: `not false` and `not true`.
    Z3_ast x = *extra;
    bool negated = kind_of(ctx_, x) == Z3_OP_NOT;
    Z3_decl_kind k = kind_of(ctx_, negated ? Z3_get_app_arg(ctx_, Z3_to_app(ctx_, x), 0) : x);
    if (k == Z3_OP_TRUE || k == Z3_OP_FALSE) {
      if ((k == Z3_OP_TRUE) != negated) {
        extra = nullptr;  // no constraint
      } else {
        stats_.queries += 1;  // unsatisfiable whatever the path
        return z3::unsat;
      }
    }
  }
  if (audit_ && extra) audit("check", extra->simplify().is_true() || extra->simplify().is_false(), *extra);
  z3::check_result r;
  if (query_cache_on_) {
    std::vector<unsigned> key;
    key.reserve(path.size() + 1);
    for (const auto& b : path) key.push_back(Z3_get_ast_id(ctx_, b.e));
    key.push_back(extra ? Z3_get_ast_id(ctx_, *extra) + 1 : 0);
    auto it = query_cache_.find(key);
    if (it != query_cache_.end() && (!model || it->second.result != z3::sat || it->second.model)) {
      counters_.cache_hits += 1;
      r = it->second.result;
      if (model && r == z3::sat) *model = *it->second.model;
    } else {
      r = solve(path, extra, model);
      if (r != z3::unknown) {
        for (const auto& b : path) keepalive_.try_emplace(Z3_get_ast_id(ctx_, b.e), b.e);
        if (extra) keepalive_.try_emplace(Z3_get_ast_id(ctx_, *extra), *extra);
        CachedResult entry{r, std::nullopt};
        if (model && r == z3::sat) entry.model = *model;
        query_cache_.insert_or_assign(std::move(key), std::move(entry));
      }
    }
  } else {
    r = solve(path, extra, model);
  }
  stats_.queries += 1;
  stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

z3::check_result SymbolicDomain::solve(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  z3::model m(ctx_);
  bool keep = model_reuse_ && keep_model_;  // decide() and concretize() ask for it
  z3::model* want = model || keep ? &m : nullptr;
  z3::check_result r = z3::unknown;
  switch (solver_mode_) {
    case SolverMode::Fresh: r = solve_fresh(path, extra, want); break;
    case SolverMode::Assume: r = solve_assume(path, extra, want); break;
    case SolverMode::Scoped: r = solve_scoped(path, extra, want); break;
  }
  if (r == z3::sat && want) {
    if (model) *model = m;
    if (keep) {
      // Remember the model with the conjuncts it satisfies.
      last_model_ = m;
      last_model_terms_.clear();
      last_model_ids_.clear();
      for (const auto& b : path) {
        last_model_terms_.push_back(b.e);
        last_model_ids_.insert(Z3_get_ast_id(ctx_, b.e));
      }
      if (extra) {
        last_model_terms_.push_back(*extra);
        last_model_ids_.insert(Z3_get_ast_id(ctx_, *extra));
      }
    }
  }
  return r;
}

// The last model, if it satisfies every conjunct of `path`.
const z3::model* SymbolicDomain::model_for(const std::vector<Bool>& path) const {
  if (!last_model_) return nullptr;
  for (const auto& b : path)
    if (!b.e.is_true() && !last_model_ids_.count(Z3_get_ast_id(ctx_, b.e))) return nullptr;
  return &*last_model_;
}

// The original: the whole path asserted in a scope of its own per query.
z3::check_result SymbolicDomain::solve_fresh(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  solver_.push();
  for (const auto& b : path) solver_.add(b.e);
  if (extra) solver_.add(*extra);
  z3::check_result r = solver_.check();
  if (r == z3::sat && model) *model = solver_.get_model();
  solver_.pop();
  return r;
}

// One scope per path conjunct; the scopes of the prefix the last query shared
// with this one stay.
z3::check_result SymbolicDomain::solve_scoped(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  try {
    return solve_scoped_unguarded(path, extra, model);
  } catch (const z3::exception&) {
    // Z3 gave up mid-way (e.g. out of memory): the scopes no longer match
    // scoped_, and a stale assertion could make a later query unsat.
    solver_.reset();
    scoped_.clear();
    throw;
  }
}

z3::check_result SymbolicDomain::solve_scoped_unguarded(const std::vector<Bool>& path, const z3::expr* extra,
                                                        z3::model* model) {
  size_t k = 0;
  while (k < scoped_.size() && k < path.size() && same(scoped_[k], path[k].e)) ++k;
  if (scoped_.size() > k) {
    solver_.pop(static_cast<unsigned>(scoped_.size() - k));
    counters_.scope_pops += scoped_.size() - k;
    scoped_.erase(scoped_.begin() + static_cast<std::ptrdiff_t>(k), scoped_.end());
  }
  for (size_t i = k; i < path.size(); ++i) {
    solver_.push();
    solver_.add(path[i].e);
    scoped_.push_back(path[i].e);
    counters_.scope_pushes += 1;
  }
  if (!extra) {
    z3::check_result r = solver_.check();
    if (r == z3::sat && model) *model = solver_.get_model();
    return r;
  }
  solver_.push();
  solver_.add(*extra);
  z3::check_result r = solver_.check();
  if (r == z3::sat && model) *model = solver_.get_model();
  solver_.pop();
  return r;
}

// Every conjunct is asserted once as `indicator => conjunct`; a query checks
// under the indicators of its conjuncts. A conjunct that is a literal already
// (a Boolean input or its negation) is its own indicator.
z3::expr SymbolicDomain::indicator(const z3::expr& conjunct) {
  Z3_ast a = conjunct;
  Z3_ast atom = kind_of(ctx_, a) == Z3_OP_NOT ? Z3_get_app_arg(ctx_, Z3_to_app(ctx_, a), 0) : a;
  if (Z3_get_ast_kind(ctx_, atom) == Z3_APP_AST && kind_of(ctx_, atom) == Z3_OP_UNINTERPRETED &&
      Z3_get_app_num_args(ctx_, Z3_to_app(ctx_, atom)) == 0)
    return conjunct;
  unsigned id = Z3_get_ast_id(ctx_, a);
  if (auto it = indicators_.find(id); it != indicators_.end()) return it->second.second;
  z3::expr ind = ctx_.bool_const(("ec!assume." + std::to_string(indicators_.size())).c_str());
  solver_.add(z3::implies(ind, conjunct));
  indicators_.emplace(id, std::make_pair(conjunct, ind));
  counters_.indicators += 1;
  return ind;
}

z3::check_result SymbolicDomain::solve_assume(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  z3::expr_vector assumptions(ctx_);
  for (const auto& b : path) {
    if (b.e.is_true()) continue;
    assumptions.push_back(indicator(b.e));
  }
  if (extra && !extra->is_true()) assumptions.push_back(indicator(*extra));
  z3::check_result r = solver_.check(assumptions);
  if (r == z3::sat && model) *model = solver_.get_model();
  return r;
}

// ---------------------------------------------------------------- the oracle

bool SymbolicDomain::decide(std::vector<Bool>& path, const Bool& cond) {
  if (cond.e.is_true()) return true;
  if (cond.e.is_false()) return false;
  if (script_pos_ < script_.size()) {
    Decision d = script_[script_pos_++];
    taken_.push_back(d);
    if (d.forked) path.push_back(d.value ? cond.e : !cond.e);
    return d.value;
  }
  z3::expr yes = cond.e, no = !cond.e;
  if (audit_) audit("decide", cond.e.simplify().is_true() || cond.e.simplify().is_false(), cond.e);
  // Which sides are feasible? A model of the path that some query left
  // behind shows one side without a query; and the path itself is
  // satisfiable (the explorer only follows such paths), so when one side is
  // not, the other is.
  std::optional<z3::check_result> can_yes, can_no;
  if (model_reuse_) {
    if (const z3::model* m = model_for(path)) {
      z3::expr v = m->eval(cond.e, true);
      if (v.is_true()) can_yes = z3::sat;
      else if (v.is_false()) can_no = z3::sat;
      if (can_yes || can_no) counters_.model_hits += 1;
    }
  }
  KeepModel keep(*this);
  if (!can_yes) {
    counters_.decide_queries += 1;
    can_yes = check(path, &yes);
  }
  if (!can_no) {
    if (model_reuse_ && *can_yes == z3::unsat) {
      can_no = z3::sat;
      counters_.one_sided += 1;
    } else {
      counters_.decide_queries += 1;
      can_no = check(path, &no);
      if (model_reuse_ && *can_no == z3::unsat && *can_yes != z3::sat) can_yes = z3::sat;
    }
  }
  if (*can_yes == z3::unknown || *can_no == z3::unknown)
    throw PathCut("timeout", "the solver gave up on a branch condition");
  if (*can_yes == z3::sat && *can_no == z3::sat) {
    std::vector<Decision> other = taken_;
    other.push_back({false, true});
    alternatives_.push_back(std::move(other));
    taken_.push_back({true, true});
    path.push_back(yes);
    return true;
  }
  bool value = *can_yes == z3::sat;
  taken_.push_back({value, false});
  return value;
}

uint32_t SymbolicDomain::concretize(const std::vector<Bool>& path, const Val& v, const std::string& what) {
  if (auto c = as_const(v)) return static_cast<uint32_t>(*c);
  if (audit_) audit("concretize", v.e.simplify().is_numeral(), v.e);
  z3::model model(ctx_);
  if (const z3::model* m = model_reuse_ ? model_for(path) : nullptr) {
    model = *m;
    counters_.model_hits += 1;
  } else {
    KeepModel keep(*this);
    counters_.concretize_queries += 1;
    z3::check_result feasible = check(path, nullptr, &model);
    if (feasible == z3::unknown)
      throw PathCut("timeout", "the solver gave up on the path condition while concretizing " + what);
    EC_ASSERT(feasible == z3::sat, "a path being followed has an unsatisfiable path condition");
  }
  z3::expr value = model.eval(v.e, true);
  counters_.concretize_queries += 1;
  z3::expr other = v.e != value;
  z3::check_result r = check(path, &other);
  if (r == z3::unknown) throw PathCut("timeout", "the solver gave up concretizing " + what);
  if (r == z3::sat) throw PathCut("symbolic-address", what + " can take more than one value");
  return static_cast<uint32_t>(value.get_numeral_uint64());
}

std::optional<uint64_t> SymbolicDomain::as_const(const Val& v) const {
  uint64_t x;
  if (num(v.e, x)) return x;
  return std::nullopt;
}

std::optional<bool> SymbolicDomain::as_const(const Bool& b) const {
  if (b.e.is_true()) return true;
  if (b.e.is_false()) return false;
  return std::nullopt;
}

void SymbolicDomain::begin_step(std::vector<Decision> script) {
  script_ = std::move(script);
  script_pos_ = 0;
  taken_.clear();
  alternatives_.clear();
}

std::vector<std::vector<SymbolicDomain::Decision>> SymbolicDomain::take_alternatives() {
  return std::exchange(alternatives_, {});
}

}  // namespace ec
