"""A real rollout on loopback for the console's browser test: bc-tracker
(HTTPS, its origin seed), one branch "east" (127.1.0.0/16) with a WAN cap so
the rollout takes some seconds, a bc-reflector and two bc-endpoints, every
role its own process, started as scripts/rollout-demo.sh starts them."""
import json
import os
import secrets
import ssl
import subprocess
import time
import urllib.error
import urllib.request


def poll(what, fn, timeout_s, every_s=0.2):
    """fn() until it returns a true value, at most timeout_s; the value."""
    deadline = time.monotonic() + timeout_s
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class World:
    def __init__(self, build, work):
        self.build, self.work = build, work
        self.procs = []
        os.makedirs(work, exist_ok=True)

    def bin(self, rel):
        return os.path.join(self.build, rel)

    def run(self, *args):
        return subprocess.run(args, check=True, capture_output=True, text=True, cwd=self.work).stdout

    def spawn(self, name, *args):
        log = open(os.path.join(self.work, name + ".log"), "w")
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.work)
        self.procs.append(p)
        return p

    def stop(self):
        for p in reversed(self.procs):
            p.kill()
            p.wait()

    # --- the tracker -----------------------------------------------------
    def start_tracker(self):
        t = os.path.join(self.work, "tracker")
        os.makedirs(t, exist_ok=True)
        self.run(self.bin("layers/tool/bc-layer"), "keygen", "--out", f"{t}/tracker.key")
        self.token = secrets.token_hex(32)
        with open(f"{t}/admin.token", "w") as f:
            f.write(self.token)
        with open(f"{t}/tracker.toml", "w") as f:
            f.write('[server]\nlisten = "127.0.0.1"\nport = 0\nport_file = "port"\n'
                    '[storage]\ndata_dir = "data"\n'
                    '[auth]\nsigning_key = "tracker.key"\nadmin_token_file = "admin.token"\n'
                    '[origin]\nenabled = true\nlisten = "127.0.0.100:0"\n'
                    'announce_key = "console-test-origin-announce-key-01"\n'
                    '[announce]\nreflector_live_s = 30\n')
        self.spawn("tracker", self.bin("tracker/bc-tracker"), "serve", "--config", f"{t}/tracker.toml")
        port = poll("the tracker's port file", lambda: _read(f"{t}/port"), 15)
        self.url = f"https://127.0.0.1:{port.strip()}"
        self.ca = f"{t}/data/pki/ca.pem"
        self.https_cert = f"{t}/data/pki/https.pem"
        self.ssl = ssl.create_default_context(cafile=self.ca)
        self.public_key = self.api("GET", "/api/v1/tracker")["public_key"]

    def request(self, method, path, body=None, token=None, headers=None):
        """(status, headers, body bytes) of one HTTPS request, checked against the CA."""
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, context=self.ssl, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def api(self, method, path, body=None, token=None):
        status, _, data = self.request(method, path, body, token or self.token)
        if status >= 300:
            raise ApiError(status, data.decode(errors="replace"))
        return json.loads(data) if data else None

    def make_token(self, role, name):
        return self.api("POST", "/api/v1/tokens", {"role": role, "name": name})["token"]

    # --- layers ----------------------------------------------------------
    def build_layers(self, mib):
        """base@1 (mib MiB) and base@2 (a few pieces of it rewritten), imported."""
        src = os.path.join(self.work, "src-base1")
        os.makedirs(f"{src}/etc", exist_ok=True)
        os.makedirs(f"{src}/var/lib/images", exist_ok=True)
        with open(f"{src}/etc/motd", "w") as f:
            f.write("branchcast base v1\n")
        with open(f"{src}/var/lib/images/disk0.img", "wb") as f:
            f.write(os.urandom(mib << 20))
        src2 = os.path.join(self.work, "src-base2")
        subprocess.run(["cp", "-a", src, src2], check=True)
        with open(f"{src2}/var/lib/images/disk0.img", "r+b") as f:
            for i in range(4):
                f.seek(i * (mib << 20) // 4)
                f.write(os.urandom(65536))
        with open(f"{src2}/etc/motd", "w") as f:
            f.write("branchcast base v2\n")
        tool = self.bin("layers/tool/bc-layer")
        self.run(tool, "build", src, "--name", "base", "--version", "1", "--kind", "base", "--out", "base@1.layer")
        self.run(tool, "build", src2, "--name", "base", "--version", "2", "--kind", "base", "--parent", "base@1",
                 "--out", "base@2.layer")
        for ref in ("base@1", "base@2"):
            self.api("POST", "/api/v1/layers/import", {"dir": os.path.join(self.work, ref + ".layer")})

    # --- nodes -----------------------------------------------------------
    def start_branch(self, branch, octet, endpoints, policy):
        self.api("PUT", f"/api/v1/branches/{branch}",
                 {"subnets": [f"127.{octet}.0.0/16"], "wan_policy": policy})
        rtok = self.api("POST", "/api/v1/enrollment-tokens", {"role": "reflector", "branch": branch})["token"]
        r = f"{branch}-r1"
        self.run(self.bin("reflector/bc-reflector"), "init", "--config", f"{r}.toml", "--tracker-url", self.url,
                 "--tracker-ca", self.ca, "--tracker-public-key", self.public_key, "--key", f"{r}.key",
                 "--token", rtok, "--branch", branch, "--address", f"127.{octet}.0.1", "--cache-dir", r,
                 "--quota-bytes", str(4 << 30), "--listen", f"127.{octet}.0.1:0")
        cfg = os.path.join(self.work, f"{r}.toml")
        text = _read(cfg)
        text = "\n".join("heartbeat_interval_ms = 1000" if l.startswith("heartbeat_interval_ms") else
                         "poll_interval_ms = 500" if l.startswith("poll_interval_ms") else l
                         for l in text.splitlines()) + "\n"
        with open(cfg, "w") as f:
            f.write(text)
        self.spawn(r, self.bin("reflector/bc-reflector"), "run", "--config", f"{r}.toml")
        etok = self.api("POST", "/api/v1/enrollment-tokens", {"role": "endpoint", "reusable": True})["token"]
        for i in range(1, endpoints + 1):
            e = f"{branch}-e{i}"
            os.makedirs(os.path.join(self.work, e + "-root"), exist_ok=True)
            self.run(self.bin("endpoint/bc-endpoint"), "enroll", "--tracker", self.url, "--tracker-ca", self.ca,
                     "--token", etok, "--dir", e, "--root", e + "-root", "--branch", branch,
                     "--listen", f"127.{octet}.0.1{i}:0", "--poll-interval-ms", "1000")
            self.spawn(e, self.bin("endpoint/bc-endpoint"), "run", "--dir", e)

    def https_spki_sha256_b64(self):
        """What Chromium's --ignore-certificate-errors-spki-list takes: the
        base64 SHA-256 of the tracker's HTTPS key (only that key is let in)."""
        pub = subprocess.run(["openssl", "x509", "-in", self.https_cert, "-pubkey", "-noout"],
                             check=True, capture_output=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                             check=True, capture_output=True).stdout
        dig = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der,
                             check=True, capture_output=True).stdout
        return subprocess.run(["base64", "-w0"], input=dig, check=True, capture_output=True).stdout.decode()


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None
