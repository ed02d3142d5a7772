"""Production settings, loaded as the container loads them (a subprocess, no test
overrides): Django's deployment checks pass at WARNING level, cookies are HTTPS-only,
HSTS is on, and the proxy settings come from the environment."""

import json
import secrets
import subprocess

import pytest

from tests.deploy import servers

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "PORTAL_PROXY_COUNT": s.PORTAL_PROXY_COUNT,
    "AXES_CLIENT_IP_CALLABLE": s.AXES_CLIENT_IP_CALLABLE,
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
}))
"""


AUDIT_KEY = secrets.token_hex(32)


def production_env(**env) -> dict[str, str]:
    return servers.production_env(**{"AUDIT_HMAC_KEY": AUDIT_KEY, **env})


def run(args, **env):
    return subprocess.run(
        [str(servers.BIN / "python"), *args],
        cwd=servers.REPO,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**env) -> dict:
    result = run(["-c", PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_checks_pass_at_warning_level():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        FLASHSTART_API_URL="https://api.fsflt.net/",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_are_https_only():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # trust no header unless told
    assert values["PORTAL_PROXY_COUNT"] == 0
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["AXES_CLIENT_IP_CALLABLE"] == "portal.client_ip.client_ip"


def test_proxy_settings_come_from_the_environment():
    values = production_settings(
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", DJANGO_PROXY_COUNT="2"
    )

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["PORTAL_PROXY_COUNT"] == 2


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "FLASHSTART_API_URL", "FLASHSTART_API_KEY", "AUDIT_HMAC_KEY"]
)
def test_a_missing_secret_stops_the_start_and_names_itself(missing):
    env = production_env()
    env.pop(missing)
    if missing == "FLASHSTART_API_KEY":
        env["FLASHSTART_API_URL"] = "https://api.fsflt.net/"
    result = subprocess.run(
        [str(servers.BIN / "python"), "-c", PRINT_SETTINGS],
        cwd=servers.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert missing in result.stderr


def test_a_short_audit_key_stops_the_start():
    result = run(["-c", PRINT_SETTINGS], AUDIT_HMAC_KEY="too-short")

    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY must be at least 32 characters" in result.stderr
    assert "too-short" not in result.stderr


def test_the_audit_key_comes_from_the_environment():
    script = "import django; django.setup(); from django.conf import settings as s; "
    script += f"print(s.AUDIT_HMAC_KEY == {AUDIT_KEY!r})"
    result = run(["-c", script])

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
