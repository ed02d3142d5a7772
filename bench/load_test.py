"""Load test: simulated sales staff browsing and assigning against gunicorn and the sandbox.

    python bench/load_test.py                       # 20 staff for 60 s, SQLite, local cache
    python bench/load_test.py --staff 5 --seconds 10
    DATABASE_URL=postgres://... CACHE_URL=redis://... python bench/load_test.py

Everything runs on 127.0.0.1: the sandbox (`manage.py sandbox`, with a vendor latency),
gunicorn with the repository's gunicorn.conf.py and production settings (DEBUG off, HTTPS
through a trusted proxy header, static files from a collectstatic run), and the staff:
one thread each, with its own keep-alive connection, session and client address. Each
staff member logs in through the real form, then until the time is up: lists and searches
customers, opens one, reads its catalogue (full page and htmx fragment), asks for a fresh
price and buys a licence, and now and then suspends and resumes a renewal.

It reports requests per second, latency percentiles per page, and errors, and checks the
books afterwards: no 5xx, nothing left pending or unknown, every licence the vendor sold
matched by exactly one active assignment, and the audit chain unbroken. With --out the
figures go to a Markdown file (bench/LOAD_RESULTS.md). Bounded: every request has a
timeout, the run stops at --seconds, and every process started is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from licensing.upstream.sandbox.catalogue import ITEMS, SEED_CUSTOMERS  # noqa: E402 - plain Python

PYTHON = sys.executable
BIN = Path(PYTHON).parent
REQUEST_TIMEOUT = 30.0
START_TIMEOUT = 60.0
PASSWORD = "Load-Test-Pw-" + secrets.token_hex(6)
SANDBOX_KEY = "load-test-key-" + secrets.token_hex(6)
CODES = sorted(ITEMS)


@dataclass
class Config:
    staff: int = 20
    seconds: float = 60.0
    workers: int = 2
    threads: int = 8
    latency: float = 0.1  # seconds the sandbox adds to each vendor call
    think: float = 0.1  # mean pause between a staff member's page views
    assign_share: float = 0.3  # share of iterations that buy a licence
    database_url: str | None = None
    cache_url: str | None = None
    workdir: Path | None = None
    seed: int = 1


@dataclass
class Sample:
    page: str
    status: int
    ms: float


@dataclass
class Stats:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, status: int, ms: float) -> None:
        with self.lock:
            self.samples.append(Sample(page, status, ms))

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


# --- processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(cfg: Config, *, sandbox_url: str, static_root: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FLASHSTART_", "GUNICORN_", "PYTEST"))
        and k not in ("DATABASE_URL", "CACHE_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_hex(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
            "DJANGO_PROXY_COUNT": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_STATIC_ROOT": str(static_root),
            "FLASHSTART_API_URL": sandbox_url,
            "FLASHSTART_API_KEY": SANDBOX_KEY,
            "GUNICORN_WORKERS": str(cfg.workers),
            "GUNICORN_THREADS": str(cfg.threads),
            "PYTHONUNBUFFERED": "1",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env["DATABASE_URL"] = cfg.database_url or f"sqlite:///{cfg.workdir / 'load.sqlite3'}"
    if cfg.cache_url:
        env["CACHE_URL"] = cfg.cache_url
    return env


def child(env: dict[str, str], code: str, timeout: float = 300) -> dict:
    """Run Python `code` in a child with the portal's settings; return the JSON it prints."""
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"child failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


SETUP = """
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.contrib.auth import get_user_model
from licensing.models import Customer, LicenseAssignment
call_command("migrate", verbosity=0, interactive=False)
sales = Group.objects.get_or_create(name="Sales")[0]
User = get_user_model()
names = []
for i in range({staff}):
    name = f"load-staff-{{i:02d}}"
    user = User.objects.filter(username=name).first() or User.objects.create_user(name)
    user.set_password({password!r})
    user.save()
    user.groups.add(sales)
    names.append(name)
for seed in {customers!r}:
    Customer.objects.get_or_create(
        customer_code=seed["customer_code"],
        defaults={{"name": seed["name"], "language": seed["lang"]}},
    )
ids = LicenseAssignment.objects.exclude(license_id=None).values_list("license_id", flat=True)
top = max((int(i) for i in ids if i.isdigit()), default=0)
print(json.dumps({{"users": names, "next_license_id": top + 1}}))
"""

VERIFY = """
from collections import Counter
from datetime import datetime
from licensing import audit
from licensing.models import LicenseAssignment
# This run's purchases only: the database may hold earlier runs'.
paid = LicenseAssignment.objects.filter(
    kind="paid", created_at__gte=datetime.fromisoformat({since!r})
)
checked, broken = audit.verify()
print(json.dumps({{
    "status": dict(Counter(paid.values_list("status", flat=True))),
    "active_ids": list(paid.filter(status="active").values_list("license_id", flat=True)),
    "audit_rows": checked,
    "audit_break": broken.reason if broken else None,
}}))
"""


def write_sandbox_state(path: Path, next_license_id: int) -> Path:
    """The sandbox's starting state: its seed customers, ample credit, and licence ids
    that continue after the highest one the database already holds (a real vendor never
    reuses an id; a restarted sandbox would, and earlier runs' ids would then collide)."""
    state = {
        "customers": SEED_CUSTOMERS,
        "balances": {"EUR": "100000000.00", "USD": "0.00", "CHF": "0.00", "GBP": "0.00"},
        "licenses": [],
        "demo_counts": {},
        "assign_deductions": 0,
        "next_license_id": max(next_license_id, 13343),
        "next_customer_code": max(c["customer_code"] for c in SEED_CUSTOMERS) + 1,
    }
    path.write_text(json.dumps(state))
    return path


@dataclass
class Process:
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def spawn(args: list[str], env: dict[str, str], log: Path) -> Process:
    with open(log, "wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(process, log)


def wait_http(port: int, path: str, proc: Process, headers: dict | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(f"process exited:\n{proc.tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers=headers or {})
            if conn.getresponse().status < 500:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer on port {port}:\n{proc.tail()}")


def sandbox_call(port: int, method: str, path: str, body: dict | None = None) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(
            method,
            path,
            body=json.dumps(body or {}),
            headers={"X-API-KEY": SANDBOX_KEY, "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return json.loads(response.read())
    finally:
        conn.close()


# --- one simulated member of staff --------------------------------------------------------


class Browser:
    """A keep-alive HTTP/1.1 connection with cookies, behind the (simulated) TLS proxy."""

    def __init__(self, port: int, client_ip: str) -> None:
        self.port = port
        self.client_ip = client_ip
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_ip,
            "User-Agent": "portal-load-test",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
                )
            started = time.monotonic()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once (as a
                # browser does); only for requests that cannot have been processed.
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
                continue
            ms = (time.monotonic() - started) * 1000
            for key, value in response.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, dict(response.getheaders()), data.decode("utf-8", "replace"), ms
        raise AssertionError("unreachable")


def hidden(page: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    return match.group(1) if match else None


class Staff(threading.Thread):
    def __init__(self, index, username, port, stats, start_event, stop_at, cfg, customers):
        super().__init__(name=f"staff-{index}", daemon=True)
        self.username = username
        self.browser = Browser(port, f"198.51.100.{10 + index}")
        self.stats = stats
        self.start_event = start_event
        self.stop_at = stop_at
        self.cfg = cfg
        self.customers = customers
        self.rng = random.Random(cfg.seed * 1000 + index)
        self.mine: list[int] = []  # assignments this member bought
        self.logged_in = False

    def get(self, page: str, path: str, expect=(200,), htmx=False) -> str:
        status, headers, body, ms = self.browser.request("GET", path, htmx=htmx)
        self.record(page, status, ms, expect, path)
        return body

    def post(self, page: str, path: str, form: dict, expect=(302,)):
        status, headers, body, ms = self.browser.request("POST", path, form)
        self.record(page, status, ms, expect, path)
        return status, headers, body

    def record(self, page, status, ms, expect, path) -> None:
        if self.start_event.is_set():
            self.stats.add(page, status, ms)
        if status not in expect:
            self.stats.fail(f"{self.username} {page} {path}: HTTP {status}")

    def login(self) -> None:
        page = self.get("login form", "/accounts/login/")
        status, headers, _ = self.post(
            "login",
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken") or "",
            },
        )
        self.logged_in = status == 302 and headers.get("Location") in ("/", "/customers/")

    def think(self) -> None:
        time.sleep(self.rng.expovariate(1 / self.cfg.think) if self.cfg.think else 0)

    def run(self) -> None:
        try:
            self.login()
            self.start_event.wait(timeout=START_TIMEOUT)
            while time.monotonic() < self.stop_at and self.logged_in:
                self.iteration()
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            self.stats.fail(f"{self.username}: {type(exc).__name__}: {exc}")
        finally:
            self.browser.close()

    def iteration(self) -> None:
        rng = self.rng
        code = rng.choice(self.customers)
        if rng.random() < 0.3:
            self.get("customer search", f"/customers/?q={code}", htmx=True)
        else:
            self.get("customer list", "/customers/")
        self.think()
        self.get("customer page", f"/customers/{code}/")
        self.think()
        lang = rng.choice(["en", "it", "de"])
        self.get("catalogue", f"/customers/{code}/catalogue/")
        self.get("catalogue (htmx filter)", f"/customers/{code}/catalogue/?lang={lang}", htmx=True)
        self.think()
        if rng.random() < self.cfg.assign_share:
            self.buy(code)
        elif self.mine and rng.random() < 0.2:
            self.change_renewal(rng.choice(self.mine))

    def buy(self, code: int) -> None:
        licence = self.rng.choice(CODES)
        path = f"/customers/{code}/assign/?license_code={licence}&currency_code=EUR"
        page = self.get("assign: fresh price", path)
        token, quote = hidden(page, "token"), hidden(page, "quote")
        csrf = hidden(page, "csrfmiddlewaretoken")
        if not (token and quote and csrf):
            self.stats.fail(f"{self.username}: no assign form for {licence}")
            return
        self.think()
        form = {
            "token": token,
            "quote": quote,
            "license_info": "Load test",
            "csrfmiddlewaretoken": csrf,
        }
        # A second purchase of the same code within a day is held on a confirmation page
        # (200) until the salesperson confirms it: that is the portal working, not a fault.
        status, headers, _ = self.post("assign: buy", path, form, expect=(302, 200))
        match = re.search(r"#assignment-(\d+)$", headers.get("Location", ""))
        if status == 302 and match:
            self.mine.append(int(match.group(1)))

    def change_renewal(self, pk: int) -> None:
        for action, form in (("suspend", {"reason": "Load test"}), ("resume", {})):
            page = self.get(f"{action} form", f"/assignments/{pk}/{action}/")
            csrf = hidden(page, "csrfmiddlewaretoken")
            if csrf is None:
                return  # already in that state: the page says so, no form
            self.post(
                f"{action}", f"/assignments/{pk}/{action}/", {**form, "csrfmiddlewaretoken": csrf}
            )


# --- the run ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def summarise(stats: Stats, seconds: float) -> dict:
    pages: dict[str, list[Sample]] = {}
    for sample in stats.samples:
        pages.setdefault(sample.page, []).append(sample)
    every = [s.ms for s in stats.samples]
    return {
        "requests": len(stats.samples),
        "rps": len(stats.samples) / seconds if seconds else 0.0,
        "p50_ms": percentile(every, 0.50),
        "p95_ms": percentile(every, 0.95),
        "p99_ms": percentile(every, 0.99),
        "max_ms": max(every, default=0.0),
        "server_errors": sum(1 for s in stats.samples if s.status >= 500),
        "unexpected": len(stats.failures),
        "failures": stats.failures[:20],
        "pages": {
            name: {
                "count": len(items),
                "p50_ms": percentile([s.ms for s in items], 0.5),
                "p95_ms": percentile([s.ms for s in items], 0.95),
                "5xx": sum(1 for s in items if s.status >= 500),
            }
            for name, items in sorted(pages.items())
        },
    }


def run(cfg: Config) -> dict:
    """Set everything up, run the staff, check the books; return the figures."""
    owned_tmp = None
    if cfg.workdir is None:
        owned_tmp = tempfile.TemporaryDirectory(prefix="portal-load-")
        cfg.workdir = Path(owned_tmp.name)
    processes: list[Process] = []
    try:
        sandbox_port, portal_port = free_port(), free_port()
        static_root = cfg.workdir / "static"
        env = portal_env(
            cfg, sandbox_url=f"http://127.0.0.1:{sandbox_port}/", static_root=static_root
        )
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
        seeds = [{k: c[k] for k in ("customer_code", "name", "lang")} for c in SEED_CUSTOMERS]
        setup = child(env, SETUP.format(staff=cfg.staff, password=PASSWORD, customers=seeds))
        users = setup["users"]
        state = write_sandbox_state(cfg.workdir / "sandbox.json", setup["next_license_id"])
        sandbox = spawn(
            [
                PYTHON,
                "manage.py",
                "sandbox",
                "--port",
                str(sandbox_port),
                "--key",
                SANDBOX_KEY,
                "--latency",
                str(cfg.latency),
                "--state-file",
                str(state),
            ],
            env,
            cfg.workdir / "sandbox.log",
        )
        processes.append(sandbox)
        since = datetime.now(UTC).isoformat()
        wait_http(sandbox_port, "/_sandbox/state", sandbox, {"X-API-KEY": SANDBOX_KEY})

        portal = spawn(
            [str(BIN / "gunicorn"), "portal.wsgi", "-c", "gunicorn.conf.py"],
            {**env, "GUNICORN_BIND": f"127.0.0.1:{portal_port}"},
            cfg.workdir / "gunicorn.log",
        )
        processes.append(portal)
        wait_http(portal_port, "/healthz", portal)

        stats = Stats()
        start_event = threading.Event()
        login_deadline = time.monotonic() + START_TIMEOUT
        staff = [
            Staff(
                i,
                name,
                portal_port,
                stats,
                start_event,
                login_deadline + 3600,
                cfg,
                [c["customer_code"] for c in seeds],
            )
            for i, name in enumerate(users)
        ]
        for member in staff:
            member.start()
        while time.monotonic() < login_deadline and not all(m.logged_in for m in staff):
            if not any(m.is_alive() for m in staff):
                break
            time.sleep(0.1)
        logged_in = sum(m.logged_in for m in staff)
        started = time.monotonic()
        for member in staff:
            member.stop_at = started + cfg.seconds
        start_event.set()
        for member in staff:
            member.join(timeout=cfg.seconds + REQUEST_TIMEOUT * 3)
        elapsed = time.monotonic() - started
        hung = sum(m.is_alive() for m in staff)

        vendor = sandbox_call(sandbox_port, "GET", "/_sandbox/state")
        books = child(env, VERIFY.format(since=since))
    finally:
        for process in reversed(processes):
            process.stop()
    sold = [lic["license_id"] for lic in vendor["licenses"] if lic["kind"] == "paid"]
    active = books["active_ids"]
    result = summarise(stats, elapsed)
    result.update(
        {
            "config": {
                "staff": cfg.staff,
                "seconds": cfg.seconds,
                "workers": cfg.workers,
                "threads": cfg.threads,
                "latency_s": cfg.latency,
                "think_s": cfg.think,
                "database": env["DATABASE_URL"].split(":", 1)[0],
                "cache": (cfg.cache_url or "locmem").split(":", 1)[0],
            },
            "elapsed_s": elapsed,
            "logged_in": logged_in,
            "hung_threads": hung,
            "vendor_sold": len(sold),
            "vendor_deductions": vendor["assign_deductions"],
            "vendor_calls": vendor["requests"],
            "assignments": books["status"],
            "matched": sorted(sold) == sorted(active) and len(set(active)) == len(active),
            "audit_rows": books["audit_rows"],
            "audit_break": books["audit_break"],
        }
    )
    result["ok"] = (
        result["server_errors"] == 0
        and result["unexpected"] == 0
        and result["hung_threads"] == 0
        and result["logged_in"] == cfg.staff
        and result["matched"]
        and result["vendor_deductions"] == len(sold)
        and set(books["status"]) <= {"active"}
        and books["audit_break"] is None
    )
    if owned_tmp is not None:
        owned_tmp.cleanup()
    return result


# --- reporting ------------------------------------------------------------------------------


def markdown(results: list[dict]) -> str:
    lines = [
        "# Load test results",
        "",
        "Written by `bench/load_test.py` (see its docstring for what the staff do). "
        "Everything on 127.0.0.1: gunicorn with `gunicorn.conf.py` and production settings, "
        "the sandbox as the vendor (with the latency shown), the simulated staff in one "
        "Python process (so on a small machine they compete with the server for CPU).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs. Run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "Reading the figures: every request of the run is counted (logins excluded); the "
        "vendor's latency is a floor for the pages that call it (a fresh price, a purchase, a "
        "renewal change: one call each; the catalogue only when its cache is cold). "
        '"matched": every licence the sandbox sold is recorded as exactly one active '
        "assignment, none is pending or unknown. The audit chain is verified after the run.",
        "",
        "| database / cache | staff | s | workers×threads | vendor latency | requests | req/s "
        "| p50 ms | p95 ms | p99 ms | 5xx | other errors | bought | matched | audit chain |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r["config"]
        lines.append(
            f"| {c['database']} / {c['cache']} | {c['staff']} | {r['elapsed_s']:.0f} "
            f"| {c['workers']}×{c['threads']} | {c['latency_s'] * 1000:.0f} ms | {r['requests']} "
            f"| {r['rps']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} "
            f"| {r['server_errors']} | {r['unexpected']} | {r['vendor_sold']} "
            f"| {'yes' if r['matched'] else '**NO**'} "
            f"| {'unbroken' if r['audit_break'] is None else r['audit_break']} "
            f"({r['audit_rows']} rows) |"
        )
    for r in results:
        c = r["config"]
        lines += [
            "",
            f"## {c['database']} / {c['cache']}: per page",
            "",
            "| page | requests | p50 ms | p95 ms | 5xx |",
            "|---|---|---|---|---|",
        ]
        for name, page in r["pages"].items():
            lines.append(
                f"| {name} | {page['count']} | {page['p50_ms']:.0f} | {page['p95_ms']:.0f} "
                f"| {page['5xx']} |"
            )
        lines += [
            "",
            f"Assignments by status: {r['assignments']}; vendor deductions: "
            f"{r['vendor_deductions']}; vendor calls: {r['vendor_calls']}.",
        ]
        if r["failures"]:
            lines += ["", "First failures:", ""] + [f"- {f}" for f in r["failures"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--think", type=float, default=0.1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL"))
    parser.add_argument("--out", type=Path, help="write the figures as Markdown here")
    parser.add_argument("--append", action="store_true", help="add to the --out table")
    args = parser.parse_args()
    if not 1 <= args.staff <= 200 or not 1 <= args.seconds <= 3600:
        parser.error("--staff 1..200 and --seconds 1..3600")
    cfg = Config(
        staff=args.staff,
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        latency=args.latency,
        think=args.think,
        database_url=args.database_url,
        cache_url=args.cache_url,
    )
    result = run(cfg)
    print(json.dumps(result, indent=1, default=str))
    if args.out:
        runs = [result]
        store = ROOT / "var" / "load-results.json"  # raw figures, kept out of git
        store.parent.mkdir(exist_ok=True)
        if args.append and store.exists():
            runs = json.loads(store.read_text()) + runs
        store.write_text(json.dumps(runs, indent=1, default=str))
        args.out.write_text(markdown(runs))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
