"""`.env.example`, compose.yaml and the README's variable table agree with the code.

- `.env.example` copied as is gives `make run` SQLite, the local-memory cache and the
  sandbox, and does not make a production start possible by accident;
- every variable the settings, gunicorn.conf.py and the health check read is in the
  README's table, and every variable the settings read is in `.env.example`;
- compose.yaml runs a one-shot `migrate` before web, PostgreSQL and Redis with health checks,
  and passes only variables the README lists; `reminders` is a one-shot `up` leaves alone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from tests.deploy import servers

REPO = servers.REPO
ENV_EXAMPLE = REPO / ".env.example"

# Loads portal.settings with .env.example as the .env file, and nothing else: the
# repository's own .env (a developer's) must not count.
LOAD_SETTINGS = """
import json, sys
import environ

environ.Env.read_env(sys.argv[1], overwrite=False)
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
from portal import settings

print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "API_URL": settings.FLASHSTART_API_URL,
    "SANDBOX_URL": settings.FLASHSTART_SANDBOX_URL,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
}))
"""


def _clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FLASHSTART_", "GUNICORN_", "AXES_", "PYTEST"))
        and key not in ("DATABASE_URL", "CACHE_URL", "PORT")
    }
    env.update(overrides)
    return env


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS, str(ENV_EXAMPLE)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _active_lines() -> dict[str, str]:
    lines = ENV_EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def _named_in_example() -> set[str]:
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), flags=re.M))


def _readme_table() -> set[str]:
    readme = (REPO / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_<>]+)`", readme, flags=re.M))


def _read_by_code() -> set[str]:
    """Variable names the settings, gunicorn.conf.py and the health check read."""
    names: set[str] = set()
    settings_text = (REPO / "portal" / "settings.py").read_text()
    names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*f?\"([A-Z][A-Z0-9_]*)", settings_text))
    for path in (REPO / "gunicorn.conf.py", REPO / "portal" / "healthcheck.py"):
        text = path.read_text()
        names |= set(re.findall(r"environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)", text))
        names |= set(re.findall(r"_int\(\s*[\"']([A-Z][A-Z0-9_]*)", text))
    return names


def _as_documented(name: str) -> str:
    # f"FLASHSTART_PATH_{name.upper()}" is documented as FLASHSTART_PATH_<NAME>.
    return f"{name}<NAME>" if name.endswith("_") else name


def test_env_example_sets_nothing_that_needs_a_server_or_a_secret():
    active = _active_lines()
    assert not {"DATABASE_URL", "CACHE_URL", "FLASHSTART_API_URL"} & active.keys(), active
    assert not {"DJANGO_SECRET_KEY", "FLASHSTART_API_KEY", "DJANGO_ALLOWED_HOSTS"} & active.keys()
    assert "DJANGO_DEBUG" not in active  # `make run` sets it; a copy on a server must not


def test_env_example_as_is_gives_make_run_sqlite_local_cache_and_the_sandbox():
    result = _load_settings(_clean_env(DJANGO_DEBUG="true"))  # what `make run` adds
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["DEBUG"] is True
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["DATABASE_NAME"] == str(REPO / "db.sqlite3")
    assert loaded["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["API_URL"] == loaded["SANDBOX_URL"]
    assert "127.0.0.1" in loaded["ALLOWED_HOSTS"]


def test_env_example_alone_does_not_start_production_without_a_secret():
    result = _load_settings(_clean_env())
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_variable_the_code_reads_is_in_the_readme_table():
    read = {_as_documented(name) for name in _read_by_code()}
    assert {"DJANGO_SECRET_KEY", "GUNICORN_WORKERS", "PORT", "FLASHSTART_PATH_<NAME>"} <= read
    assert read - _readme_table() == set()


def test_every_variable_the_settings_read_is_in_env_example():
    settings_text = (REPO / "portal" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", settings_text))
    assert "FLASHSTART_BREAKER_COOLDOWN" in read
    assert read - _named_in_example() == set()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def test_compose_migrates_once_before_web_starts(compose):
    services = compose["services"]
    assert {"web", "migrate", "db", "redis"} <= set(services)
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["image"] == services["web"]["image"]
    needs = services["web"]["depends_on"]
    assert needs["migrate"] == {"condition": "service_completed_successfully"}
    assert needs["db"] == {"condition": "service_healthy"}
    assert needs["redis"] == {"condition": "service_healthy"}
    assert "migrate" not in str(services["web"].get("command", ""))


def test_compose_services_have_health_checks(compose):
    services = compose["services"]
    for name in ("web", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "portal.healthcheck"]


def test_compose_passes_only_documented_variables(compose):
    web = compose["services"]["web"]["environment"]
    assert {"DATABASE_URL", "CACHE_URL", "DJANGO_SECRET_KEY", "GUNICORN_WORKERS"} <= set(web)
    assert set(web) - _readme_table() == set()
    assert web["DATABASE_URL"].startswith("postgres://")
    assert web["CACHE_URL"].startswith("redis://")


def test_compose_reminders_is_a_one_shot_that_up_does_not_start(compose):
    reminders = compose["services"]["reminders"]
    assert reminders["command"] == ["python", "manage.py", "send_reminders"]
    assert reminders["profiles"]  # `docker compose run --rm reminders` only
    assert reminders["restart"] == "no"
    assert reminders["image"] == compose["services"]["web"]["image"]
