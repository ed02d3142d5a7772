"""The demo run keys the audit chain with a key of its own, kept outside the database in
var/audit-hmac-key (owner-only), generated once and reused."""

import io
import stat

import pytest
from django.core.management import call_command

from licensing import audit
from licensing.models import AuditAction, AuditOutcome


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    settings.DEBUG = True
    settings.AUDIT_HMAC_KEY = "insecure-development-audit-key-do-not-use"
    settings.AUDIT_HMAC_KEY_FILE = tmp_path / "var" / "audit-hmac-key"
    return settings.AUDIT_HMAC_KEY_FILE


def rundemo() -> None:
    call_command("rundemo", "--no-server", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_first_demo_run_generates_a_private_key_and_later_runs_reuse_it(demo, settings):
    rundemo()

    key = demo.read_text().strip()
    assert len(key) == 64 and key == settings.AUDIT_HMAC_KEY
    assert stat.S_IMODE(demo.stat().st_mode) == 0o600
    audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)

    rundemo()

    assert demo.read_text().strip() == key
    assert audit.verify() == (1, None)


@pytest.mark.django_db
def test_a_trail_already_keyed_with_the_development_key_keeps_it(demo, settings):
    audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.SUCCESS)

    rundemo()

    assert demo.read_text().strip() == "insecure-development-audit-key-do-not-use"
    assert audit.verify() == (1, None)


@pytest.mark.django_db
def test_a_key_in_the_environment_is_used_and_nothing_is_written(demo, monkeypatch):
    monkeypatch.setenv("AUDIT_HMAC_KEY", "k" * 40)

    rundemo()

    assert not demo.exists()
