#!/usr/bin/env python3
"""The web console in a real browser (issue #14; docs/console.md, "Tests").

Starts a real rollout (tracker/rollout_world.py: bc-tracker over HTTPS, a
branch with a WAN cap, a bc-reflector and two bc-endpoints as processes) and
drives headless Chromium through the console with selenium: sign in, watch
the rollout advance between two polls, a viewer's policy change refused with
the API's message, an operator's policy change and retire and an admin's
policy change in the audit view, markup in stored data shown as text with no
alert, the CSP present and enforced, ETag polls answered 304. Screenshots of
every view go to ARTIFACTS (build/test-artifacts/console/).

TLS: Chromium is told to accept exactly the test tracker's HTTPS key
(--ignore-certificate-errors-spki-list with its SPKI hash), nothing else; the
test's own requests check the tracker against its CA.

usage: console_browser_test.py BUILD_DIR ARTIFACTS_DIR
exit 0 pass, 1 fail, 77 skipped (no chromium, chromedriver or selenium).
"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rollout_world import World, poll  # noqa: E402

SKIP = 77
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
LAYER_MIB = 24
CAP = 1 << 20  # 24 MiB through a 1 MiB/s WAN: ~25 s, a dozen polls


def ok(msg):
    print("ok:", msg, flush=True)


def new_driver(spki):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    o.binary_location = shutil.which("chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100",
              "--ignore-certificate-errors-spki-list=" + spki):
        o.add_argument(a)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=o)


class Console:
    def __init__(self, driver, url, artifacts):
        self.d, self.url, self.artifacts = driver, url, artifacts

    def css(self, sel):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    # Views re-render every poll, so elements go stale: read in one script.
    def text(self, sel):
        return self.d.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", sel)

    def texts(self, sel):
        return self.d.execute_script("return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText)", sel)

    def click(self, sel):
        self.d.execute_script("document.querySelector(arguments[0]).click()", sel)

    def sign_in(self, token, role):
        self.d.get(self.url + "/console/")
        shown = "const e = document.getElementById(arguments[0]); return !!e && !e.hidden"
        poll("the sign-in form or the sign-out button",
             lambda: self.d.execute_script(shown, "signin") or self.d.execute_script(shown, "signout"), 20)
        if self.d.execute_script(shown, "signout"):
            self.click("#signout")
        poll("the sign-in form", lambda: self.d.execute_script(shown, "signin"), 20)
        self.css("#token")[0].send_keys(token)
        self.css("#signin-button")[0].click()
        poll(f"signed in as {role}", lambda: self.text("#role") == role, 20)

    def view(self, name, ready_sel):
        self.d.get(self.url + "/console/#" + name)
        poll(f"the {name} view", lambda: self.css(ready_sel), 20)

    def shot(self, name):
        self.d.save_screenshot(os.path.join(self.artifacts, f"console-{name}.png"))

    def no_alert(self):
        from selenium.common.exceptions import NoAlertPresentException
        try:
            text = self.d.switch_to.alert.text
        except NoAlertPresentException:
            return True
        raise AssertionError(f"an alert fired: {text!r}")


def check_headers(w):
    for path in ("/console/", "/console/app.js", "/console/views/rollout.js"):
        status, h, _ = w.request("GET", path)
        assert status == 200, (path, status)
        assert h["Content-Security-Policy"] == CSP, (path, h["Content-Security-Policy"])
        assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "no-referrer", path
        assert h["Cache-Control"] == "no-cache", path
    ok("CSP, nosniff, no-referrer and no-cache on every console file")
    status, h, _ = w.request("GET", "/api/v1/branches", token=w.token)
    etag = h["ETag"]
    status, _, body = w.request("GET", "/api/v1/branches", token=w.token, headers={"If-None-Match": etag})
    assert status == 304 and body == b"", status
    ok("a poll with If-None-Match is answered 304 with no body")
    status, _, body = w.request("PUT", "/api/v1/branches/east", {"subnets": ["127.1.0.0/16"]}, token=w.token,
                                headers={"Origin": "https://evil.example"})
    assert status == 403 and b"cross-site request refused" in body, (status, body)
    ok("a state-changing request from another site's Origin is refused: " + body.decode()[:80])


def watch_rollout(w, c):
    c.view("rollout", "#branch-picker option")
    w.api("PUT", "/api/v1/assignments/branch/east", {"stack": ["base@1"]})
    row = '#rollout-layers tr[data-layer="base@1"]'
    poll("base@1 in the rollout view", lambda: c.css(row), 30)

    def progress():
        v = c.d.execute_script("const r = document.querySelector(arguments[0]);"
                               "return r ? [+r.dataset.done, +r.dataset.bytesDone] : null", row)
        return tuple(v) if v else (0, 0)
    first = progress()
    second = poll("the rollout to advance between two polls", lambda: progress() > first and progress(), 90)
    ok(f"the rollout advanced between polls: (done, bytes) {first} -> {second}")
    c.view("overview", 'tr[data-branch="east"]')
    poll("east's WAN rate on the overview", lambda: re.search(r"[1-9][\d.]* [KM]iB/s of", c.text('tr[data-branch="east"]')), 30)
    c.shot("overview")
    ok("the overview shows east's WAN rate against its cap mid-rollout: " + c.text('tr[data-branch="east"]').replace("\n", " "))
    c.view("rollout", row)
    # Halfway (by bytes, or by nodes on a tracker without byte counts): the
    # screenshot of a rollout under way.
    poll("the rollout half done", lambda: c.d.execute_script(
        "const r = document.querySelector(arguments[0]); if (!r) return false;"
        "return +r.dataset.bytesTotal ? 2 * r.dataset.bytesDone >= +r.dataset.bytesTotal"
        " : 2 * r.dataset.done >= +r.dataset.total && +r.dataset.total > 0", row), 120, every_s=0.5)
    c.shot("rollout")
    done = poll("every node done", lambda: c.d.execute_script(
        "const r = document.querySelector(arguments[0]);"
        "return r && +r.dataset.total >= 2 && r.dataset.done === r.dataset.total ? r.dataset.done : null", row),
        180, every_s=1)
    ok(f"the rollout view shows base@1 done on {done}/{done} nodes")
    c.shot("rollout-done")


def check_refusals(w, c, token, role):
    c.sign_in(token, role)
    c.view("policies", "#policy-save")
    cap = c.css("#cap")[0]
    cap.clear()
    cap.send_keys("999")
    c.click("#policy-save")
    msg = poll("the API's refusal", lambda: c.text("#policy-result .error"), 20)
    assert "403" in msg and f"has role {role}" in msg, msg
    ok(f"a {role}'s policy change is refused, the API's message shown: {msg}")
    return msg


def run(w, artifacts):
    w.start_tracker()
    check_headers(w)
    try:
        w.api("PUT", "/api/v1/branches/" + "%3Cscript%3E", {"subnets": []})
        raise AssertionError("the API took a branch named <script>")
    except Exception as e:  # the name rule: such a name can never be stored
        assert getattr(e, "status", 0) == 400, e
    w.build_layers(LAYER_MIB)
    w.start_branch("east", 1, 2, {"schema": 1, "default": {"download": {"bytes_per_s": CAP}}})
    # Free text an admin typed (a token's name) comes back in the audit view.
    viewer, operator = w.make_token("viewer", XSS), w.make_token("operator", "console operator")
    c = Console(new_driver(w.https_spki_sha256_b64()), w.url, artifacts)
    try:
        c.d.get(w.url + "/console/")
        poll("the sign-in form", lambda: c.css("#token"), 20)
        c.shot("signin")
        # The CSP is in force: an inline script injected into the page does not run.
        c.d.execute_script("const s = document.createElement('script'); s.textContent = 'window.inlineRan = 1';"
                           "document.body.appendChild(s);")
        assert c.d.execute_script("return window.inlineRan") is None
        ok("the browser enforces the CSP (an injected inline script did not run)")
        c.sign_in(w.token, "admin")
        ok("signed in with the admin token")
        watch_rollout(w, c)
        c.view("layers", '#diff-go')
        c.css("#diff-a")[0].send_keys("base@1")
        c.css("#diff-b")[0].send_keys("base@2")
        c.click("#diff-go")
        cost = poll("the diff's cost", lambda: c.text("#diff-cost"), 20)
        assert "east" in c.text("#diff-result"), c.text("#diff-result")
        ok(f"layers diff base@1 -> base@2: a holder fetches {cost}; east's cost listed")
        c.shot("layers")
        c.view("nodes", 'tr[data-node]')
        poll("three nodes listed", lambda: len(c.css("tr[data-node]")) == 3, 20)
        c.shot("nodes")
        c.view("audit", "tr[data-seq]")
        row = poll("the viewer token's creation in the audit view", lambda: [
            t for t in c.texts("tr[data-seq]") if "token.create" in t and "viewer" in t], 20)[0]
        assert "<script>alert(1)</script>" in row and "onerror=alert(2)" in row, row
        assert not c.css("#view script") and not c.css("#view img"), "markup from data became elements"
        c.no_alert()
        ok("markup in stored data is shown as text; no element made of it, no alert")
        check_refusals(w, c, viewer, "viewer")
        c.shot("policies-viewer-refused")
        # An operator edits a WAN policy (PUT .../wan-policy, operator role).
        c.sign_in(operator, "operator")
        c.view("policies", "#policy-save")
        cap = c.css("#cap")[0]
        cap.clear()
        cap.send_keys(str(2 * CAP))
        c.click("#policy-save")
        poll("the operator's save", lambda: "Saved" in c.text("#policy-result"), 20)
        assert w.api("GET", "/api/v1/branches/east")["wan_policy"]["default"]["download"]["bytes_per_s"] == 2 * CAP
        ok("an operator's policy change is saved")
        c.view("layers", 'tr[data-layer="base@2"] button.danger')
        c.click('tr[data-layer="base@2"] button.danger')
        c.d.switch_to.alert.accept()  # the console's own "Retire base@2?" confirmation
        poll("base@2 retired", lambda: "retired" in c.text('tr[data-layer="base@2"]'), 20)
        c.view("audit", "tr[data-seq]")
        row = poll("the operator's retire in the audit log", lambda: [
            t for t in c.texts("tr[data-seq]") if "layer.retire" in t and "base@2" in t], 20)[0]
        assert "operator" in row, row
        ok(f"the operator's change is in the audit view: {row}")
        row = poll("the operator's policy change in the audit log", lambda: [
            t for t in c.texts("tr[data-seq]") if "branch.wan_policy" in t and "east" in t], 20)[0]
        assert "operator" in row, row
        ok(f"the operator's policy change is in the audit view: {row}")
        c.sign_in(w.token, "admin")
        c.view("policies", "#policy-save")
        # A window the nodes' decoder would refuse is caught before it is sent.
        c.click("#window-add")
        c.d.execute_script("document.querySelector('#policy-editor tr.window .start').value = '25:00'")
        c.click("#policy-save")
        msg = poll("the editor's refusal", lambda: c.text("#policy-result .error"), 20)
        assert msg == 'windows[0].start: "25:00" is not HH:MM', msg
        assert w.api("GET", "/api/v1/branches/east")["wan_policy"].get("windows") is None
        ok("a window starting at 25:00 is refused with the field named, nothing saved: " + msg)
        c.click("#policy-editor tr.window button")  # Remove
        cap = c.css("#cap")[0]
        cap.clear()
        cap.send_keys(str(3 * CAP))
        c.click("#policy-save")
        poll("the admin's save", lambda: "Saved" in c.text("#policy-result"), 20)
        c.shot("policies")
        c.view("audit", "tr[data-seq]")
        poll("the admin's policy change in the audit view", lambda: sum(
            "branch.wan_policy" in t and "east" in t for t in c.texts("tr[data-seq]")) >= 2, 20)
        assert "<script>alert(1)</script>" in c.text("#audit-body") and not c.css("#view script")
        c.no_alert()
        ok("the admin's policy change is in the audit view; the <script> note there is text too")
        c.shot("audit")
        polls = c.text("#poll-state")
        assert re.search(r"[1-9]\d* not modified \(304\)", polls), polls
        ok("the console polls with ETags: " + polls)
    except Exception:
        c.shot("failure")
        print("--- the page at the failure:\n" + c.text("body"))
        raise
    finally:
        c.d.quit()


def main():
    build, artifacts = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    missing = [n for n in ("chromium", "chromedriver") if not shutil.which(n)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        print("BC-TEST-SKIPPED: the browser test needs " + ", ".join(missing) +
              " (apt-get install chromium chromium-driver python3-selenium)")
        return SKIP
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="bc-console-test.")
    w = World(build, work)
    try:
        run(w, artifacts)
    except Exception:
        for name in ("tracker", "east-r1", "east-e1"):
            path = os.path.join(work, name + ".log")
            if os.path.exists(path):
                print(f"--- last lines of {path}:\n" + "".join(open(path).readlines()[-15:]))
        raise
    finally:
        w.stop()
    shutil.rmtree(work, ignore_errors=True)
    print("console browser test: passed; screenshots in " + artifacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
