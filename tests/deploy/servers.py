"""Starting the portal the way the container does, as a subprocess, with bounded waits.

Used by the deployment test and the multi-process tests. Every wait has a deadline and
every process started here is stopped (SIGTERM, then SIGKILL) by the caller's `stop()`.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT = 40.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production container: DEBUG off, real secret, HTTPS defaults.

    Test-only variables (DJANGO_SETTINGS_MODULE=tests.settings and the like) are removed,
    so the subprocess loads `portal.settings` exactly as the image does.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FLASHSTART_", "GUNICORN_", "AXES_", "PYTEST"))
        and key not in ("DATABASE_URL", "CACHE_URL", "PORT")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "portal.example.com",
            "DJANGO_LOG_FORMAT": "json",
            "FLASHSTART_API_URL": "http://127.0.0.1:9/",
            "FLASHSTART_API_KEY": "deploy-test-key",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def collect_static(static_root: Path) -> None:
    """Run collectstatic into `static_root` (the image does this at build time)."""
    env = production_env(
        DJANGO_STATIC_ROOT=str(static_root), DATABASE_URL=f"sqlite:///{static_root}.sqlite3"
    )
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )


@dataclass
class Server:
    """A running gunicorn (the image's command) on 127.0.0.1:`port`."""

    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request; returns (status, headers with lower-case names, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            names = {}
            for key, value in response.getheaders():
                key = key.lower()
                names[key] = f"{names[key]}\n{value}" if key in names else value
            return response.status, names, data
        finally:
            conn.close()

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def json_log(self) -> list[dict]:
        """The JSON lines the server wrote (other lines, e.g. warnings, are skipped)."""
        records = []
        for line in self.log_lines():
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records

    def stop(self) -> int | None:
        """Stop gracefully (SIGTERM, as Docker does), then kill; return the exit code."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        return self.process.returncode


def start_gunicorn(
    env: dict[str, str], log_path: Path, *, port: int | None = None, app: str = "portal.wsgi"
) -> Server:
    """Start `gunicorn portal.wsgi -c gunicorn.conf.py` and wait until it answers /healthz.

    Raises RuntimeError (with the server's output) if it exits or is not up in time.
    """
    port = port or free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env.setdefault("GUNICORN_WORKERS", "1")
    env.setdefault("GUNICORN_THREADS", "4")
    log = open(log_path, "wb")  # noqa: SIM115 - the child keeps writing after we return
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), app, "-c", "gunicorn.conf.py"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed as a whole if it hangs
    )
    log.close()
    server = Server(port=port, process=process, log_path=log_path, env=env)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {process.returncode}:\n" + "\n".join(server.log_lines())
            )
        try:
            status, _, _ = server.request("GET", "/healthz", timeout=5)
            if status in (200, 503):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not answer in time:\n" + "\n".join(server.log_lines()))
