"""The container's command works: gunicorn with the repo's gunicorn.conf.py and production
settings starts, answers /healthz, serves static files through WhiteNoise, logs JSON, and
stops on SIGTERM.

No Docker engine runs here, so this starts the image's CMD from this checkout instead.
"""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.deploy import servers

DOCKERFILE = servers.REPO / "Dockerfile"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy") / "staticfiles"
    servers.collect_static(root)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, static_root):
    workdir = tmp_path_factory.mktemp("deploy-server")
    env = servers.production_env(
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        GUNICORN_WORKERS="2",
    )
    # Whatever the test run uses (PostgreSQL, Redis in CI), the container would too.
    for name in ("DATABASE_URL", "CACHE_URL"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    started = servers.start_gunicorn(env, workdir / "gunicorn.log")
    yield started
    started.stop()


def test_healthz_answers_200_json_by_ip_address_without_https(server):
    # Host 127.0.0.1 is not in DJANGO_ALLOWED_HOSTS and the request is plain HTTP, as a
    # load balancer's or Docker's probe is: /healthz must answer anyway.
    status, headers, body = server.request("GET", "/healthz")

    assert status == 200
    assert headers["content-type"] == "application/json"
    data = json.loads(body)
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    assert data["vendor"] in {"ok", "failing", "unreachable", "unknown"}
    assert "no-store" in headers["cache-control"]


def test_pages_redirect_to_https_and_refuse_unknown_hosts(server):
    status, headers, _ = server.request(
        "GET", "/customers/", headers={"Host": "portal.example.com"}
    )
    assert status == 301
    assert headers["location"] == "https://portal.example.com/customers/"

    status, _, _ = server.request(
        "GET",
        "/customers/",
        headers={"Host": "evil.example.net", "X-Forwarded-Proto": "https"},
    )
    assert status == 400


def test_the_image_healthcheck_command_passes(server):
    env = {**server.env, "PORT": str(server.port)}
    result = subprocess.run(
        [str(servers.BIN / "python"), "-m", "portal.healthcheck"],
        cwd=servers.REPO,
        env=env,
        capture_output=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"


def test_the_image_healthcheck_command_fails_when_nothing_answers(server):
    env = {**server.env, "PORT": str(servers.free_port())}
    result = subprocess.run(
        [str(servers.BIN / "python"), "-m", "portal.healthcheck"],
        cwd=servers.REPO,
        env=env,
        capture_output=True,
        timeout=20,
    )
    assert result.returncode == 1


def test_static_files_are_served_hashed_and_cached_by_whitenoise(server, static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    if not manifest:
        pytest.skip("no static files in the checkout yet")
    original = "css/portal.css" if "css/portal.css" in manifest else sorted(manifest)[0]
    hashed = manifest[original]

    status, headers, body = server.request(
        "GET",
        f"/static/{hashed}",
        headers={"Host": "portal.example.com", "X-Forwarded-Proto": "https"},
    )
    assert status == 200, (original, status)
    assert "max-age=315360000" in headers["cache-control"]  # immutable: hashed name
    assert body == (static_root / hashed).read_bytes()


def test_every_log_line_is_json_and_requests_carry_their_id(server):
    status, headers, _ = server.request(
        "GET", "/healthz", headers={"X-Request-ID": "deploy-probe-1"}
    )
    assert status == 200
    assert headers["x-request-id"] == "deploy-probe-1"

    records = server.json_log()
    request_lines = [r for r in records if r.get("logger") == "portal.request"]
    assert any(
        r["request_id"] == "deploy-probe-1" and r["path"] == "/healthz" and r["status"] == 200
        for r in request_lines
    )
    # gunicorn's own lines (boot, workers) are JSON too; only Python warnings may not be.
    assert any(r.get("logger") == "gunicorn.error" for r in records)
    for line in server.log_lines():
        if line.startswith("{"):
            json.loads(line)


def test_the_server_stops_gracefully_on_sigterm(tmp_path, static_root):
    env = servers.production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_STATIC_ROOT=str(static_root)
    )
    started = servers.start_gunicorn(env, tmp_path / "gunicorn.log")
    assert started.stop() == 0
    assert any("Shutting down" in r.get("message", "") for r in started.json_log())


def test_gunicorn_conf_uses_threaded_workers_and_no_control_socket():
    namespace: dict = {}
    exec(
        compile((servers.REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),
        namespace,
    )

    assert namespace["worker_class"] == "gthread"
    assert namespace["threads"] >= 2
    # A long CSV download runs in a thread; the heartbeat timeout must not be shorter
    # than the vendor timeout either, or a worker stuck on the vendor would be killed.
    assert namespace["timeout"] >= 30
    assert namespace["graceful_timeout"] >= 60
    assert namespace["control_socket_disable"] is True


def test_dockerfile_is_multi_stage_non_root_and_migrates_only_on_request():
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)\s+AS\s+(\w+)", text, flags=re.M)
    assert [name for _, name in stages] == ["builder", "runtime"]
    assert "--require-hashes" in text
    assert re.search(r"^USER\s+(?!root|0\b)\S+", text, flags=re.M)
    assert "collectstatic" in text
    assert re.search(r"^HEALTHCHECK .*\n?.*portal\.healthcheck", text, flags=re.M)
    assert 'CMD ["gunicorn", "portal.wsgi", "-c", "gunicorn.conf.py"]' in text
    assert "migrate" not in re.sub(r"^#.*$", "", text, flags=re.M)


def test_hadolint_has_no_warnings():
    hadolint = servers.BIN / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint is not installed in the virtualenv")
    result = subprocess.run(
        [str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set(Path(servers.REPO / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "db.sqlite3*", "staticfiles", "var"} <= ignored


def test_a_download_longer_than_the_worker_timeout_is_not_cut(tmp_path):
    from tests.deploy import slow_app

    env = servers.production_env(GUNICORN_TIMEOUT="2", GUNICORN_WORKERS="1")
    started = servers.start_gunicorn(env, tmp_path / "slow.log", app="tests.deploy.slow_app")
    try:
        began = time.monotonic()
        status, _, body = started.request("GET", "/export.csv", timeout=30)
        took = time.monotonic() - began
    finally:
        started.stop()

    assert status == 200
    assert body.decode().splitlines() == [f"row {n}" for n in range(slow_app.CHUNKS)]
    assert took > 2 * int(env["GUNICORN_TIMEOUT"])  # well past the worker timeout
    assert "WORKER TIMEOUT" not in started.log_path.read_text()
