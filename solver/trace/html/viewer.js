// entrycheck trace viewer. Reads the trace data the page carries
// (#trace-data, written by solver/trace/trace_html.cpp) and draws one
// position at a time: positions 0..N-1 are the trace's steps (the state after
// each), position N the violating instruction (the state before it, the
// registers as it left them).
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("trace-data").textContent);
  const N = D.steps.length;
  const $ = (id) => document.getElementById(id);
  const hx = (v, w) => (v >>> 0).toString(16).padStart(w, "0");
  const hex = (v) => "0x" + hx(v, 8);
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const SEGMENTS = ["cs", "ss", "ds", "es", "fs", "gs"];
  const GENERAL = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp"];
  const FLAGS = [[0, "CF"], [2, "PF"], [4, "AF"], [6, "ZF"], [7, "SF"], [8, "TF"], [9, "IF"], [10, "DF"], [11, "OF"],
    [14, "NT"], [16, "RF"], [17, "VM"], [18, "AC"], [19, "VIF"], [20, "VIP"], [21, "ID"]];
  let pos = 0;

  // ---- the machine at a position ----------------------------------------

  function memoryAt(p) {
    const m = new Map();
    for (const [a, v, o] of D.initial) m.set(a, { v: v, o: o });
    for (let i = 0; i <= Math.min(p, N - 1); i++)
      for (const [a, bytes] of D.steps[i].mem)
        bytes.forEach((b, k) => m.set((a + k) >>> 0, { v: b, o: "written", w: i }));
    return m;
  }

  function registersAt(p) {
    if (p >= N) return Object.assign({}, D.final);
    const r = Object.assign({}, D.interrupted);
    delete r.eip;
    for (let i = 0; i <= p; i++) Object.assign(r, D.steps[i].regs);
    return r;
  }

  function changedAt(p) {
    if (p < N) return new Set(Object.keys(D.steps[p].regs));
    const before = registersAt(N - 1);
    return new Set(Object.keys(D.final).filter((k) => k !== "eip" && before[k] !== D.final[k]));
  }

  function espBefore(p) {
    if (p < N) return D.steps[p].esp;
    return N ? D.steps[N - 1].esp : D.interrupted.esp;
  }

  function liveEntries(p) {
    const out = [];
    D.entries.forEach((e, i) => { if (e.first <= p && (e.last === null || p < e.last)) out.push(i); });
    return out;
  }

  function frameSlots(entries) {
    const out = [];
    for (const i of entries) {
      const e = D.entries[i];
      for (const f of e.fields)
        out.push({ addr: (e.frame + f.offset) >>> 0, size: f.size, name: f.name, selector: f.selector,
          entry: i, label: "#" + (i + 1) + " " + f.name, spec: f.spec });
    }
    return out;
  }

  function slotAt(slots, a) {
    let found = null;
    for (const s of slots)
      if (((a - s.addr) >>> 0) < s.size && (!found || s.entry > found.entry || (s.entry === found.entry && found.spec && !s.spec)))
        found = s;
    return found;
  }

  // Every field overlapping the dword at a (the hardware's and the spec's).
  function slotLabels(slots, a) {
    return slots.filter((s) => s.addr < a + 4 && a < s.addr + s.size).map((s) => s.label);
  }

  // Each entry's frame as the CPU left it, right after its delivery.
  const delivered = D.entries.map((e) => memoryAt(e.first));

  function regionOf(a) {
    return D.regions.find((r) => ((a - r.base) >>> 0) < r.size) || null;
  }

  function regionOffset(a) {
    const r = regionOf(a);
    if (!r) return hex(a);
    return r.stack ? r.name + " top-0x" + (r.base + r.size - a).toString(16) : r.name + "+0x" + (a - r.base).toString(16);
  }

  // ---- the header, the step list, the violation -------------------------

  function header() {
    $("title").innerHTML = '<span class="bad">' + esc(D.invariant) + " violated</span> &middot; " + esc(D.spec_name) +
      " &middot; scenario " + esc(D.scenario) + " &middot; CPU profile " + esc(D.profile);
    $("summary").innerHTML = esc(D.message) + " &middot; at <code>" + esc(D.location) + "</code> &middot; spec <code>" +
      esc(D.spec) + "</code>";
    $("footer").textContent = "entrycheck " + D.version + (D.trace_version ? " (trace written by entrycheck " +
      D.trace_version + ")" : " (trace written by an older entrycheck)") + ". Stale bytes: never written on the run; " +
      "their value is the memory's initial content the counterexample chose. CS_FROM_* names: Linux 6.1 entry_32.S.";
    $("legend").innerHTML = '<span><span class="b stale">80</span> stale (never written)</span>' +
      '<span><span class="b hi">00</span> high half of a selector slot</span>' +
      '<span><span class="b hi marker">80</span> CS_FROM_* marker bits set</span>' +
      '<span><span class="b unknown">??</span> never read nor written</span>' +
      '<span class="slot written">written by this step</span>';
  }

  function stepList() {
    const ol = $("steps");
    D.steps.forEach((s, i) => {
      const li = document.createElement("li");
      li.dataset.pos = i;
      li.innerHTML = '<span class="n">' + esc(s.n) + '</span><span class="loc">' + esc(s.short) + "</span> " +
        esc(s.ins) + (s.ev ? ' <span class="ev ' + esc(s.ev[0]) + '">' + esc(s.ev[0]) + "</span>" : "");
      li.title = s.loc + (s.changes ? "\n" + s.changes : "") + (s.ev ? "\n" + s.ev[0] + ": " + s.ev[1] : "");
      ol.appendChild(li);
    });
    const li = document.createElement("li");
    li.dataset.pos = N;
    li.className = "viol";
    li.innerHTML = '<span class="n">#' + D.violation_index + '</span><span class="loc">' + esc(D.violation_short) +
      "</span> " + esc(D.instruction || "(violating instruction)") + ' <span class="ev violation">violated</span>';
    li.title = D.location + "\n" + D.message;
    ol.appendChild(li);
    ol.addEventListener("click", (e) => {
      const li = e.target.closest("li");
      if (li) go(Number(li.dataset.pos));
    });
  }

  function violationPanel() {
    const v = $("violation");
    let html = "<h2>Violation</h2>";
    html += '<div class="why"><b>' + esc(D.invariant) + "</b> violated at <a id=\"goto-violation\">#" +
      D.violation_index + " " + esc(D.instruction || "") + "</a> (<code>" + esc(D.location) + "</code>): " +
      '<span id="why">' + esc(D.message) + "</span></div>";
    if (D.statement) html += "<div>The invariant: " + esc(D.statement) + "</div>";
    const conditions = D.violated.filter((c) => c !== D.message);
    if (conditions.length) html += "<div>Failing conditions: <b>" + conditions.map(esc).join(", ") + "</b></div>";
    if (Object.keys(D.expected).length) html += expectedVsActual();
    v.innerHTML = html;
    $("goto-violation").addEventListener("click", () => go(N));
  }

  // The context `resume` expects back beside the one the violating
  // instruction left: one column per register, expected above actual.
  function expectedVsActual() {
    const order = ["eip", ...GENERAL, "eflags", ...SEGMENTS, "cr3"];
    const names = Object.keys(D.expected).filter((k) => k in D.final);
    names.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    let head = "<th></th>", want = "<th>expected</th>", got = "<th>actual</th>";
    for (const k of names) {
      const flagged = D.violated.includes(k), differs = D.expected[k] !== D.final[k] || flagged;
      const cls = differs ? (flagged ? "differs flagged" : "differs") : "";
      const title = flagged ? "violated" : differs ? "differs (allowed by the scenario)" : "equal";
      head += '<th class="' + cls + '" title="' + title + '">' + k + "</th>";
      want += '<td class="' + cls + '" data-reg="' + k + '">' + regText(k, D.expected[k]) + "</td>";
      got += '<td class="' + cls + '" data-reg="' + k + '">' + regText(k, D.final[k]) + "</td>";
    }
    return '<table id="expected-actual"><tr>' + head + "</tr><tr class=\"expected\">" + want +
      "</tr><tr class=\"actual\">" + got + "</tr></table>" +
      '<div class="decoded">expected: the interrupted context (with the scenario\'s resume_expect); actual: what ' +
      "the violating instruction left. Red: differs.</div>";
  }

  // ---- registers ---------------------------------------------------------

  function regText(name, v) {
    if (SEGMENTS.includes(name)) return "0x" + hx(v & 0xffff, 4);
    return hex(v);
  }

  function flagChips(v) {
    let s = "";
    for (const [bit, name] of FLAGS) s += '<span class="flag' + ((v >>> bit) & 1 ? " on" : "") + '">' + name + "</span>";
    return s + ' <span class="decoded">IOPL ' + ((v >>> 12) & 3) + "</span>";
  }

  function cr3Name(v) {
    if (!D.pti) return "";
    if (!D.pti.enabled) return "kernel (no PTI)";
    return (v & D.pti.switch_mask) ? "user CR3" : "kernel CR3";
  }

  function registerRow(name, value, changed, decoded) {
    return "<tr class=\"" + (changed ? "changed" : "") + "\" data-reg=\"" + name + "\"><td class=\"name\">" + name +
      "</td><td>" + regText(name, value) + "</td><td class=\"decoded\">" + decoded + "</td></tr>";
  }

  function registers(p) {
    const r = registersAt(p), changed = changedAt(p);
    let html = "<table>";
    const at = p < N ? D.steps[p].addr : null;
    html += "<tr><td class=\"name\">insn</td><td>" + (at === null ? "&mdash;" : hex(at)) + "</td><td class=\"decoded\">" +
      (p < N ? "the step's instruction" : "the violating instruction; registers as it left them") + "</td></tr>";
    for (const k of GENERAL) if (k in r) html += registerRow(k, r[k], changed.has(k), "");
    if ("eflags" in r) html += registerRow("eflags", r.eflags, changed.has("eflags"), flagChips(r.eflags));
    for (const k of SEGMENTS)
      if (k in r) html += registerRow(k, r[k], changed.has(k), "index " + ((r[k] >>> 3) & 0x1fff) +
        ((r[k] & 4) ? " LDT" : " GDT") + ", <b>RPL " + (r[k] & 3) + "</b>");
    if ("cr3" in r) html += registerRow("cr3", r.cr3, changed.has("cr3"), esc(cr3Name(r.cr3)));
    const live = liveEntries(p).map((i) => "#" + (i + 1) + " vector " + D.entries[i].vector + " from " +
      D.entries[i].from + ", frame at " + hex(D.entries[i].frame));
    html += "<tr><td class=\"name\">entries</td><td colspan=\"2\" class=\"decoded\">" +
      (live.length ? esc(live.join("; ")) : "none live") + "</td></tr>";
    $("registers").innerHTML = html + "</table>";
  }

  // ---- stacks ------------------------------------------------------------

  function byteSpan(m, a, slot) {
    const b = m.get(a);
    const cls = ["b"];
    let title = hex(a) + ": ";
    if (!b) { cls.push("unknown"); title += "never read nor written"; }
    else if (b.o === "stale") { cls.push("stale"); title += "stale: never written on this run (initial content the counterexample chose)"; }
    else if (b.o === "spec") title += "the spec's initial memory";
    else title += "written by " + D.steps[b.w].n;
    if (slot && slot.selector) {
      const k = (a - slot.addr) >>> 0;
      if (k >= 2 && k < 4) {
        cls.push("hi");
        title += "; high half of the " + slot.name + " slot (the CPU may leave it stale)";
        if (slot.name === "CS" && k === 3 && b && (b.v & 0xf0)) {
          cls.push("marker");
          title += "; " + D.markers.filter(([bit]) => (b.v >>> (bit - 24)) & 1).map(([bit, n]) => "bit " + bit + " " + n).join(", ");
        }
      }
    }
    return '<span class="' + cls.join(" ") + '" title="' + esc(title) + '">' + (b ? hx(b.v, 2) : "??") + "</span>";
  }

  function slotBytes(m, a, slot) {
    let s = "";
    for (let k = 3; k >= 0; k--) s += byteSpan(m, (a + k) >>> 0, slot);
    return s;
  }

  // A live entry's selector slot as delivered, when the CPU left stale
  // bytes or marks in its high half and the slot has changed since: the
  // evidence stays in view after the code rewrites the slot.
  function deliveredNote(slot, now) {
    if (!slot || !slot.selector || slot.spec) return "";
    const m = delivered[slot.entry];
    const hi = [2, 3].map((k) => m.get((slot.addr + k) >>> 0));
    const stale = hi.some((b) => b && b.o === "stale");
    const nonzero = hi.some((b) => b && b.v);
    const same = [0, 1, 2, 3].every((k) => {
      const a = m.get((slot.addr + k) >>> 0), b = now.get((slot.addr + k) >>> 0);
      return a === b || (a && b && a.v === b.v && a.o === b.o);
    });
    if ((!stale && !nonzero) || same) return "";
    return '<span class="note delivered">delivered as ' + slotBytes(m, slot.addr, slot) +
      (stale ? ": high half stale, never written by the CPU" : "") + "</span>";
  }

  function stackRanges(p, r, points) {
    const top = r.base + r.size;
    const ranges = [];
    for (const a0 of points) {
      if (((a0 - r.base) >>> 0) >= r.size) continue;
      const a = (a0 & ~3) >>> 0;
      ranges.push([Math.max(r.base, a - 8), Math.min(top - 4, a + 8)]);
    }
    ranges.sort((x, y) => y[1] - x[1]);
    const merged = [];
    for (const [lo, hi] of ranges) {
      const last = merged[merged.length - 1];
      if (last && hi + 4 >= last[0]) last[0] = Math.min(last[0], lo);
      else merged.push([lo, hi]);
    }
    return merged;
  }

  function stackColumn(p, r, m, slots, points, written) {
    const esp = espBefore(p), top = r.base + r.size;
    const finalEsp = p >= N ? D.final.esp : null;
    let html = '<div class="stack" data-region="' + esc(r.name) + '"><div class="title">' + esc(r.name) +
      " <span class=\"decoded\">" + hex(r.base) + "&ndash;" + hex(top) + "</span></div>";
    const ranges = stackRanges(p, r, points);
    ranges.forEach(([lo, hi], i) => {
      if (i > 0 || hi + 4 < top) html += '<div class="more">&#8942; up to ' + hex(i > 0 ? ranges[i - 1][0] : top) + "</div>";
      for (let a = hi; a >= lo; a -= 4) {
        const slot = slotAt(slots, a);
        const labels = slotLabels(slots, a);
        const cls = ["slot"];
        if (a === esp) cls.push("at-esp");
        if (written.has(a)) cls.push("written");
        if (labels.length) cls.push("frame");
        let mark = a === esp ? "esp&#9656;" : "";
        if (finalEsp !== null && a === finalEsp) mark += (mark ? " " : "") + "after";
        html += '<div class="' + cls.join(" ") + '" data-addr="' + hex(a) + '"' + (slot ? ' data-field="' + esc(slot.label) + '"' : "") +
          '><span class="esp">' + mark + '</span><span class="addr">' + hex(a) + "</span>" + slotBytes(m, a, slot) +
          (labels.length ? '<span class="lbl">' + esc(labels.join(" / ")) + "</span>" : "") + deliveredNote(slot, m) + "</div>";
      }
    });
    return html + "</div>";
  }

  function stacks(p) {
    const m = memoryAt(p);
    const slots = frameSlots(liveEntries(p));
    const written = new Set();
    if (p < N) for (const [a, bytes] of D.steps[p].mem) bytes.forEach((_, k) => written.add(((a + k) & ~3) >>> 0));
    const points = [espBefore(p), ...slots.map((s) => s.addr), ...written];
    if (p >= N && "esp" in D.final) points.push(D.final.esp);
    if (D.invariant === "resume" && "esp" in D.interrupted) points.push(D.interrupted.esp);
    let html = "";
    for (const r of D.regions) {
      if (!r.stack) continue;
      if (!points.some((a) => ((a - r.base) >>> 0) < r.size)) continue;
      html += stackColumn(p, r, m, slots, points, written);
    }
    $("stacks").innerHTML = html || '<div class="decoded">no stack region involved</div>';
  }

  // ---- source ------------------------------------------------------------

  function srcLine(lines, n, cls) {
    const text = n - 1 < lines.length ? lines[n - 1] : "";
    return '<div class="srcline ' + cls + '" data-line="' + n + '"><span class="ln">' + n + "</span>" + esc(text) + "</div>";
  }

  // levels[0]: {file, line}; levels[k>0]: {macro, file, first, last, line}.
  function renderLevel(levels, k) {
    const lvl = levels[k];
    const lines = D.sources[lvl.file];
    const inner = k + 1 < levels.length;
    let html = "";
    const first = k === 0 ? 1 : lvl.first, last = k === 0 ? lines.length : lvl.last;
    for (let n = first; n <= last; n++) {
      if (n !== lvl.line) { html += srcLine(lines, n, ""); continue; }
      html += srcLine(lines, n, inner ? "use-site" : "current");
      if (inner) {
        const next = levels[k + 1];
        const body = D.sources[next.file];
        html += '<div class="expansion"><div class="exp-title">expansion of ' + esc(next.macro) + " (" +
          esc(shortFile(next.file)) + ":" + next.first + "&ndash;" + next.last + ")</div>" +
          (body ? renderLevel(levels, k + 1) : '<div class="missing">source not available: ' + esc(next.file) + "</div>") +
          "</div>";
      }
    }
    return html;
  }

  function shortFile(f) { return f.slice(f.lastIndexOf("/") + 1); }

  function source(p) {
    const levels = p < N ? D.steps[p].src : D.violation_src;
    const file = levels[0].file;
    $("source-title").textContent = "Source: " + file;
    if (!D.sources[file]) {
      $("source").innerHTML = '<div class="missing">source not available: ' + esc(file) + "</div>" +
        '<div class="srcline current">' + esc(p < N ? D.steps[p].ins : D.instruction) + "</div>";
      return;
    }
    $("source").innerHTML = renderLevel(levels, 0);
    const cur = $("source").querySelector(".srcline.current") || $("source").querySelector(".srcline.use-site");
    if (cur) centre($("source-pane"), cur);
  }

  // ---- navigation ---------------------------------------------------------

  // Scrolls a pane (not the page) so that `item` sits in its middle.
  function centre(pane, item) {
    const top = item.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    pane.scrollTop = Math.max(0, top - pane.clientHeight / 2);
  }

  function go(p) {
    pos = Math.max(0, Math.min(N, p));
    $("slider").value = pos;
    const name = pos < N ? D.steps[pos].n : "#" + D.violation_index;
    const ins = pos < N ? D.steps[pos].ins : D.instruction;
    const loc = pos < N ? D.steps[pos].short : D.violation_short;
    $("position").textContent = "position " + pos + "/" + N + "  " + name + "  " + loc + "  " + ins +
      (pos === N ? "  (violation)" : "");
    document.querySelectorAll("#steps li.current").forEach((li) => li.classList.remove("current"));
    const li = document.querySelector('#steps li[data-pos="' + pos + '"]');
    if (li) { li.classList.add("current"); centre($("steps-pane"), li); }
    document.body.dataset.position = pos;
    registers(pos);
    stacks(pos);
    source(pos);
  }

  function keys(e) {
    if (e.target === $("slider") || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key;
    if (k === "j" || k === "ArrowDown" || k === "ArrowRight") go(pos + 1);
    else if (k === "k" || k === "ArrowUp" || k === "ArrowLeft") go(pos - 1);
    else if (k === "Home" || k === "g") go(0);
    else if (k === "End" || k === "G" || k === "v") go(N);
    else return;
    e.preventDefault();
  }

  header();
  stepList();
  violationPanel();
  $("slider").max = N;
  $("slider").addEventListener("input", () => go(Number($("slider").value)));
  $("prev").addEventListener("click", () => go(pos - 1));
  $("next").addEventListener("click", () => go(pos + 1));
  $("to-violation").addEventListener("click", () => go(N));
  document.addEventListener("keydown", keys);
  go(0);
})();
