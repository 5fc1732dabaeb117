#!/usr/bin/env python3
"""The HTML trace viewer in a real browser (ctest browser-viewer).

Generates the page for the seed's counterexample (v3 spec, irq-from-kernel,
CPU profile stale), opens it from disk in headless Chromium driven by
Selenium, and checks what a kernel developer would look at:

  - at the hardware delivery (#hw), entry #1's CS slot on the task stack
    shows its high half as stale bytes (0x80 0x00: never written by a CPU
    that stores only the selector), the marker bit flagged;
  - stepping with the keyboard (j, the right arrow) reaches the violating
    IRET; there the stack still shows that slot as delivered, with the stale
    high half, the violation panel says why (esp differ) and puts expected
    and actual ESP side by side; the source pane's current line is the iret;
  - k steps back into RESTORE_REGS, shown expanded at its use site;
  - the page loaded nothing over the network and logged no script error.

A screenshot at the violation is kept under OUT (a ctest artifact);
--docs-screenshot also copies it (docs/viewer.png is refreshed that way).

Needs the Debian packages chromium, chromium-driver and python3-selenium
(scripts/setup.sh installs them); exits 2 naming them when missing.

Usage: viewer_test.py --entrycheck BIN --root REPO --out DIR [--docs-screenshot PNG]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SPEC = "specs/pti32-entry-stack-v3.json"
TRACE = "pti32-entry-stack-v3.irq-from-kernel.stale.resume.json"
# Chromium as root in a closed network: no sandbox, no GPU, nothing that
# phones home, a profile of its own.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1600,1100"]


def need_tools():
    missing = [pkg for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")) if not os.path.exists(path)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        print("browser-viewer: missing Debian package(s): " + " ".join(missing) + " (scripts/setup.sh installs them)")
        sys.exit(2)


def make_page(entrycheck, root, out):
    trace_dir = os.path.join(out, "traces")
    shutil.rmtree(trace_dir, ignore_errors=True)
    verify = subprocess.run([entrycheck, "verify", SPEC, "--scenario", "irq-from-kernel", "--profile", "stale",
                             "--trace-dir", trace_dir], cwd=root, capture_output=True, text=True, timeout=600)
    if verify.returncode != 1:
        sys.exit(f"verify: exit {verify.returncode}, expected 1 (violated)\n{verify.stdout}{verify.stderr}")
    page = os.path.join(out, "viewer.html")
    show = subprocess.run([entrycheck, "show", os.path.join(trace_dir, TRACE), "--html", page],
                          cwd=root, capture_output=True, text=True, timeout=600)
    if show.returncode != 0:
        sys.exit(f"show --html: exit {show.returncode}\n{show.stdout}{show.stderr}")
    return page, json.load(open(os.path.join(trace_dir, TRACE)))


def browser(profile_dir):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + profile_dir]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


class Checks:
    def __init__(self):
        self.failures = []

    def expect(self, ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            self.failures.append(what)


def cs_slot(driver):
    """Entry #1's CS slot on the task stack: its bytes and its whole text."""
    from selenium.webdriver.common.by import By
    slots = driver.find_elements(By.CSS_SELECTOR, '#stacks .stack[data-region="task_stack"] .slot[data-field="#1 CS"]')
    return slots[0] if slots else None


def stale_bytes(element, css):
    from selenium.webdriver.common.by import By
    return [b.text for b in element.find_elements(By.CSS_SELECTOR, css)] if element else []


def press(driver, key, times=1):
    from selenium.webdriver.common.action_chains import ActionChains
    for _ in range(times):
        ActionChains(driver).send_keys(key).perform()


def position(driver):
    return int(driver.execute_script("return document.body.dataset.position"))


def check_delivery(driver, c, trace):
    c.expect(position(driver) == 0, "the page opens at the hardware delivery (position 0)")
    slot = cs_slot(driver)
    c.expect(slot is not None, "the task stack shows entry #1's CS slot, labelled '#1 CS'")
    # The delivery wrote only the selector: the dword's two high bytes are
    # the stale 0x80 0x00 the counterexample chose, high byte first.
    hi = stale_bytes(slot, ":scope > .b.stale")
    c.expect(hi == ["80", "00"], f"at #hw the CS slot's high half is marked stale: 80 00 (got {hi})")
    c.expect(stale_bytes(slot, ":scope > .b.marker") == ["80"], "the CS_FROM_ENTRY_STACK marker bit is flagged")
    delivered = next(s for s in trace["steps"] if s["instruction"].startswith("<hardware"))
    c.expect(any(w["bytes"] == "6000" for w in delivered["memory"]), "the trace itself says the CPU wrote only 0x0060")


def check_violation(driver, c, n_steps):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    # Half the way with j, the rest with the right arrow: both are keyboard steps.
    press(driver, "j", n_steps // 2)
    press(driver, Keys.ARROW_RIGHT, n_steps - n_steps // 2)
    c.expect(position(driver) == n_steps, f"the keyboard reaches the violating instruction (position {n_steps})")
    press(driver, "j")
    c.expect(position(driver) == n_steps, "j at the violation stays there")
    current = driver.find_element(By.CSS_SELECTOR, "#steps li.current")
    c.expect("viol" in current.get_attribute("class") and "iret" in current.text,
             f"the step list marks the violating iret (got '{current.text}')")
    slot = cs_slot(driver)
    c.expect(slot is not None, "at the violation, the task stack still labels entry #1's CS slot")
    hi = stale_bytes(slot, ".delivered .b.stale")
    c.expect(hi == ["80", "00"], f"at the violation the CS slot shows its stale high half as delivered: 80 00 (got {hi})")
    c.expect(slot is not None and "high half stale" in slot.text, "the slot says 'high half stale'")
    why = driver.find_element(By.ID, "why").text
    c.expect(why == "the interrupted context is not resumed: esp differ", f"the violation panel says why (got '{why}')")
    violation = driver.find_element(By.ID, "violation").text
    c.expect("resume violated at #84 iret" in violation, "the violation panel names the step, the instruction, the invariant")
    differs = [(td.get_attribute("data-reg"), td.text) for td in
               driver.find_elements(By.CSS_SELECTOR, "#expected-actual td.differs")]
    c.expect(differs == [("esp", "0xc2001fc0"), ("esp", "0xff8100c0")],
             f"expected and actual ESP side by side, the only register that differs (got {differs})")
    line = driver.find_element(By.CSS_SELECTOR, "#source .srcline.current").text
    c.expect("iret" in line and line.split()[0] == "223", f"the source pane highlights line 223, the iret (got '{line}')")


def check_macro_and_network(driver, c, n_steps):
    from selenium.webdriver.common.by import By
    press(driver, "k")
    c.expect(position(driver) == n_steps - 1, "k steps back")
    titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#source .expansion > .exp-title")]
    c.expect(any("RESTORE_REGS" in t for t in titles), f"RESTORE_REGS is expanded at its use site (got {titles})")
    use = driver.find_element(By.CSS_SELECTOR, "#source .srcline.use-site").text
    c.expect("RESTORE_REGS" in use, f"the use site line is marked (got '{use}')")
    inner = driver.find_element(By.CSS_SELECTOR, "#source .expansion .srcline.current").text
    c.expect("addl" in inner, f"the current line is inside the expansion (got '{inner}')")
    resources = driver.execute_script("return performance.getEntriesByType('resource').length")
    c.expect(resources == 0, f"the page loads nothing (resource entries: {resources})")
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    c.expect(not errors, f"no script errors ({errors})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entrycheck", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs-screenshot")
    args = ap.parse_args()
    need_tools()
    os.makedirs(args.out, exist_ok=True)
    page, trace = make_page(os.path.abspath(args.entrycheck), os.path.abspath(args.root), os.path.abspath(args.out))
    n_steps = len(trace["steps"])
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="ec-chromium-") as profile:
        driver = browser(profile)
        try:
            driver.get("file://" + page)
            check_delivery(driver, c, trace)
            check_violation(driver, c, n_steps)
            shot = os.path.join(os.path.abspath(args.out), "viewer.png")
            driver.save_screenshot(shot)
            print("screenshot: " + shot)
            if args.docs_screenshot:
                shutil.copyfile(shot, args.docs_screenshot)
            check_macro_and_network(driver, c, n_steps)
        finally:
            driver.quit()
    print(f"browser-viewer: {len(c.failures)} failure(s)")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
