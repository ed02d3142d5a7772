"""Customer list throughput under gunicorn, as a ratio to a trivial Django view.

    python bench/bench_gunicorn.py [--events 1000000] [--requests 3000] [--seconds 20]

`gunicorn portal.wsgi -w 2 --threads 4` on 127.0.0.1 (the repository's gunicorn.conf.py,
bench.settings), the full-scale database, a signed-in manager's session. A bounded client
(threads with keep-alive http.client connections) sends a fixed number of GETs or stops at
the time cap, for /bench/trivial/ (same middleware, no query beyond the session) and for
/customers/. The ratio of the two is what the customer list costs over Django itself.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

CLIENT_THREADS = 8


def session_cookie(url: str) -> str:
    """A session for the bench manager, made directly in the database."""
    return common.child_json("bench.bench_gunicorn", ["--session"], url)["cookie"]


def _make_session() -> None:
    common.setup_django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = common.bench_manager()
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(3600)
    store.save()
    print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port: int, path: str, cookie: str, total: int, seconds: float) -> dict:
    """GET `path` `total` times from CLIENT_THREADS threads, or until `seconds` pass."""
    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "errors": 0}
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie, "Host": "127.0.0.1"}
        while time.monotonic() < deadline:
            with lock:
                if state["sent"] >= total:
                    break
                state["sent"] += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                good = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                good = False
            elapsed = time.perf_counter() - started
            with lock:
                state["ok" if good else "errors"] += 1
                latencies.append(elapsed)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    median, p95 = common.summary_ms(latencies) if latencies else (0.0, 0.0)
    return {**state, "seconds": wall, "rps": state["ok"] / wall, "median": median, "p95": p95}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=common.FULL["events"])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    url = common.ensure_scaled(args.events)
    cookie = session_cookie(url)
    port = _free_port()
    env = common.base_env(url)
    env.update({"GUNICORN_LOG_LEVEL": "warning", "GUNICORN_TIMEOUT": "60"})
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi",
            "-c",
            "gunicorn.conf.py",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_ready(port, cookie, server)
        results = {}
        for label, path in (("trivial view", "/bench/trivial/"), ("customer list", "/customers/")):
            load(port, path, cookie, min(200, args.requests), 5)  # warm both workers
            results[label] = load(port, path, cookie, args.requests, args.seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    print("## Throughput under gunicorn (-w 2 --threads 4, loopback)")
    print()
    print(
        f"{CLIENT_THREADS} client threads with keep-alive, {args.requests} requests "
        f"or {args.seconds:.0f} s, whichever comes first; {common.scaled(args.events)}."
    )
    print()
    print("| path | requests ok | errors | req/s | median ms | p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in results.items():
        print(
            f"| {label} | {r['ok']} | {r['errors']} | {r['rps']:.0f} | "
            f"{r['median']:.1f} | {r['p95']:.1f} |"
        )
    ratio = results["customer list"]["rps"] / results["trivial view"]["rps"]
    print()
    print(f"Customer list throughput = {ratio:.2f} x the trivial view's.")


def _wait_ready(port: int, cookie: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {server.stderr.read()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/trivial/", headers={"Cookie": cookie})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
            raise SystemExit(f"trivial view answered {status}: is the session valid?")
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start within 30 s")


if __name__ == "__main__":
    if sys.argv[1:] == ["--session"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        _make_session()
    else:
        main()
