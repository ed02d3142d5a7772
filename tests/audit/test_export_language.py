"""Exports are in English whatever language the request, the person or the command runs
in: an auditor compares files, and a file's bytes must not depend on who asked for it."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy

from licensing import audit
from licensing.audit import export_rows
from licensing.models import AuditAction, AuditEvent, AuditOutcome
from tests.factories import make_events

pytestmark = pytest.mark.django_db

COL = {name: i for i, name in enumerate(export_rows.HEADER)}


class _Outcome(models.TextChoices):
    """The outcomes, one of them labelled with a word Django's own catalogue translates
    ("Unknown": "Sconosciuto"), as the portal's labels will be once translated."""

    SUCCESS = "success", gettext_lazy("Success")
    UNKNOWN = "unknown", gettext_lazy("Unknown")


@pytest.fixture
def translated_label(monkeypatch):
    monkeypatch.setattr(export_rows, "AuditOutcome", _Outcome)
    with translation.override("it"):
        assert str(_Outcome.UNKNOWN.label) == "Sconosciuto"  # the label does translate
    audit.record(meta=None, action=AuditAction.LOGIN, outcome=AuditOutcome.UNKNOWN)


def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_an_italian_request_exports_the_same_bytes_as_an_english_one(
    manager_client, translated_label
):
    make_events(3)
    # Filtered to logins: each export's own audit row is not in the next one.
    query = {"action": AuditAction.LOGIN}
    english = _body(manager_client.get("/audit/export.csv", query, HTTP_ACCEPT_LANGUAGE="en"))
    italian = _body(manager_client.get("/audit/export.csv", query, HTTP_ACCEPT_LANGUAGE="it"))
    assert italian == english
    assert b'"Unknown"' in english and b"Sconosciuto" not in italian


def test_csv_xlsx_and_the_command_stay_english_while_italian_is_active(
    translated_label, tmp_path, capsys
):
    export = audit.exports.Export(
        meta=audit.RequestMeta(),
        events=AuditEvent.objects.filter(action=AuditAction.LOGIN),
        description="logins",
    )
    with translation.override("it"):
        chunks = audit.exports.csv_chunks(export)
        first = next(chunks)
        assert translation.get_language() == "it"  # given back between chunks
        csv_text = (first + b"".join(chunks)).decode()
        workbook, _rows = audit.exports.xlsx_file(export)
        call_command("export_audit", "--action", "login")
        assert translation.get_language() == "it"
    assert '"Unknown"' in csv_text and "Sconosciuto" not in csv_text
    with workbook:
        sheet = openpyxl.load_workbook(io.BytesIO(workbook.read())).active
    outcomes = [row[COL["Outcome"]] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Unknown" in outcomes and "Sconosciuto" not in outcomes
    printed = capsys.readouterr().out
    assert '"Unknown"' in printed and "Sconosciuto" not in printed
