"""The audit trail in words a manager or an auditor reads without a glossary.

- `action_words` and `outcome_words`: what was attempted and how it ended ("Open the
  customer's dashboard" · "Link issued"), instead of the stored codes;
- `field_label` and `readable_message`: refusals name fields by their labels on the forms
  ("Label for this licence: ...") and never `__all__` (rows written before the services
  wrote labels are translated when shown);
- `describe`: one page of rows with all of that, the customer's name when that customer is
  registered here (one query for the page) and the vendor call folded into the sentence.

The stored rows are never changed (they are hash-chained): only how they are shown. The
words are in the active language; what is stored (`refusal_text`) is always English, and the
English prefixes and field labels of stored messages are translated when shown.
"""

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from licensing import texts
from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer

# What a person was doing, as the staff pages say it.
ACTIONS: dict[str, Promise] = {
    AuditAction.LICENSE_ASSIGN: pgettext_lazy("audit action", "Assign a paid licence"),
    AuditAction.DEMO_ASSIGN: pgettext_lazy("audit action", "Assign a demo"),
    AuditAction.RENEWAL_SUSPEND: pgettext_lazy("audit action", "Suspend renewal"),
    AuditAction.RENEWAL_RESUME: pgettext_lazy("audit action", "Resume renewal"),
    AuditAction.ASSIGNMENT_RESOLVE: pgettext_lazy("audit action", "Resolve an unknown outcome"),
    AuditAction.CUSTOMER_REGISTER: pgettext_lazy("audit action", "Link a FlashStart customer"),
    AuditAction.CUSTOMER_CREATE: pgettext_lazy("audit action", "Create a customer at FlashStart"),
    AuditAction.CUSTOMER_UPDATE: pgettext_lazy("audit action", "Change a customer"),
    AuditAction.CUSTOMER_DELETE: pgettext_lazy("audit action", "Delete a customer"),
    AuditAction.DASHBOARD_OPEN: pgettext_lazy("audit action", "Open the customer's dashboard"),
    AuditAction.LOGIN: pgettext_lazy("audit action", "Log in"),
    AuditAction.LOGIN_FAILED: pgettext_lazy("audit action", "Log in (wrong username or password)"),
    AuditAction.LOGIN_LOCKED: pgettext_lazy("audit action", "Log in (locked out)"),
    AuditAction.LOGOUT: pgettext_lazy("audit action", "Log out"),
    AuditAction.ACCESS_DENIED: pgettext_lazy("audit action", "Open a page"),
    AuditAction.AUDIT_EXPORT: pgettext_lazy("audit action", "Export the audit trail"),
    AuditAction.AUDIT_CHECKPOINT: pgettext_lazy("audit action", "Audit checkpoint"),
    AuditAction.LOGIN_UNLOCK: pgettext_lazy("audit action", "Log in unlocked"),
    AuditAction.APPROVAL_REQUEST: pgettext_lazy("audit action", "Request approval"),
    AuditAction.APPROVAL_APPROVE: pgettext_lazy("audit action", "Approve purchase"),
    AuditAction.APPROVAL_REJECT: pgettext_lazy("audit action", "Reject purchase"),
    AuditAction.APPROVAL_EXPIRE: pgettext_lazy("audit action", "Approval request expired"),
    AuditAction.APPROVAL_REOPEN: pgettext_lazy("audit action", "Approved request re-opened"),
    AuditAction.LIMIT_CHANGE: pgettext_lazy("audit action", "Change spending limit"),
    "reminder_send": pgettext_lazy("audit action", "Send a reminder e-mail"),
    "profile_update": pgettext_lazy("audit action", "Change own settings"),
}

# How an attempt ended, in general...
OUTCOMES: dict[str, Promise] = {
    AuditOutcome.SUCCESS: pgettext_lazy("audit outcome", "Done"),
    AuditOutcome.FAILED: pgettext_lazy("audit outcome", "Refused by FlashStart"),
    AuditOutcome.UNKNOWN: pgettext_lazy("audit outcome", "Outcome unknown"),
    AuditOutcome.INVALID: pgettext_lazy("audit outcome", "Input refused"),
    AuditOutcome.DENIED: pgettext_lazy("audit outcome", "Not allowed"),
    AuditOutcome.DUPLICATE: pgettext_lazy("audit outcome", "Repeated submit"),
    AuditOutcome.ERROR: pgettext_lazy("audit outcome", "FlashStart unavailable"),
}
# ... and what a success (or a refusal) was for each action.
SPECIFIC_OUTCOMES: dict[tuple[str, str], Promise] = {
    (AuditAction.LICENSE_ASSIGN, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Assigned"),
    (AuditAction.DEMO_ASSIGN, AuditOutcome.SUCCESS): pgettext_lazy(
        "audit outcome", "Demo assigned"
    ),
    (AuditAction.RENEWAL_SUSPEND, AuditOutcome.SUCCESS): pgettext_lazy(
        "audit outcome", "Renewal suspended"
    ),
    (AuditAction.RENEWAL_RESUME, AuditOutcome.SUCCESS): pgettext_lazy(
        "audit outcome", "Renewal resumed"
    ),
    (AuditAction.ASSIGNMENT_RESOLVE, AuditOutcome.SUCCESS): pgettext_lazy(
        "audit outcome", "Resolved"
    ),
    (AuditAction.CUSTOMER_REGISTER, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Linked"),
    (AuditAction.CUSTOMER_CREATE, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Created"),
    (AuditAction.CUSTOMER_UPDATE, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Changed"),
    (AuditAction.CUSTOMER_DELETE, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Deleted"),
    # The portal issues a one-time link; whether the browser then opened it, it cannot see.
    (AuditAction.DASHBOARD_OPEN, AuditOutcome.SUCCESS): pgettext_lazy(
        "audit outcome", "Link issued"
    ),
    (AuditAction.DASHBOARD_OPEN, AuditOutcome.FAILED): pgettext_lazy(
        "audit outcome", "No link: refused by FlashStart"
    ),
    (AuditAction.LOGIN, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Logged in"),
    (AuditAction.LOGOUT, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Logged out"),
    (AuditAction.LOGIN_FAILED, AuditOutcome.DENIED): pgettext_lazy("audit outcome", "Refused"),
    (AuditAction.LOGIN_LOCKED, AuditOutcome.DENIED): pgettext_lazy("audit outcome", "Locked out"),
    (AuditAction.AUDIT_EXPORT, AuditOutcome.SUCCESS): pgettext_lazy("audit outcome", "Exported"),
}
# The badge's colour (it always carries the word too).
TONES: dict[str, str] = {
    AuditOutcome.SUCCESS: "success",
    AuditOutcome.FAILED: "danger",
    AuditOutcome.UNKNOWN: "warning",
    AuditOutcome.INVALID: "muted",
    AuditOutcome.DENIED: "danger",
    AuditOutcome.DUPLICATE: "muted",
    AuditOutcome.ERROR: "warning",
}

# Field names the services and the vendor use, as the forms label them.
FIELD_LABELS: dict[str, Promise] = {
    "customer_code": gettext_lazy("FlashStart customer code"),
    "name": gettext_lazy("Customer name"),
    "email": gettext_lazy("E-mail"),
    "language": gettext_lazy("Language"),
    "lang": gettext_lazy("Language"),
    "notes": gettext_lazy("Notes"),
    "password": gettext_lazy("Password"),
    "customer_name": gettext_lazy("First name or contact name"),
    "customer_surname": gettext_lazy("Surname"),
    "company_name": gettext_lazy("Company name"),
    "country_code": gettext_lazy("Country"),
    "industry_code": gettext_lazy("Industry"),
    "phone": gettext_lazy("Phone"),
    "skype": gettext_lazy("Skype"),
    "license_code": gettext_lazy("Licence"),
    "license_info": gettext_lazy("Label for this licence"),
    "license_id": gettext_lazy("FlashStart licence id"),
    "license_duration": gettext_lazy("Duration"),
    "version_code": gettext_lazy("Version"),
    "currency_code": gettext_lazy("Currency"),
    "quote": gettext_lazy("Price confirmation"),
    "token": gettext_lazy("Confirmation"),
    "reason": gettext_lazy("Reason"),
    "note": gettext_lazy("How you checked"),
    "outcome": gettext_lazy("What FlashStart confirmed"),
    "expiry_date": gettext_lazy("Expiry date"),
    "accept_notifications": gettext_lazy("Notify the customer"),
}
NON_FIELD = "__all__"

# "Refused input: license_info: ...; __all__: ..." as the services wrote it before the
# labels: a segment starts at the message's start or after "; ", with a field's name.
# Stored messages are English: their prefix is translated when shown.
_PREFIXES: dict[str, Promise] = {
    "Refused input: ": gettext_lazy("Refused input"),
    "Refused: ": gettext_lazy("Refused"),
}
_SEGMENT = re.compile(r"(?:^|(?<=; ))(__all__|[a-z][a-z0-9_]{1,40}): ")


def action_words(action: str) -> str:
    """What was attempted, e.g. "Assign a paid licence" (in the active language)."""
    return str(ACTIONS.get(action) or _choice_label(AuditAction, action))


def outcome_words(action: str, outcome: str) -> str:
    """How it ended, e.g. "Link issued" or "Refused by FlashStart"."""
    specific = SPECIFIC_OUTCOMES.get((action, outcome))
    return str(specific or OUTCOMES.get(outcome) or _choice_label(AuditOutcome, outcome))


def _choice_label(choices, value: str) -> str:
    labels = dict(choices.choices)
    return str(labels.get(value) or value.replace("_", " ").capitalize())


def outcome_tone(outcome: str) -> str:
    return TONES.get(outcome, "neutral")


def field_label(name: str) -> str:
    """The label a person saw for field `name` ("" for errors about the whole form)."""
    if name == NON_FIELD:
        return ""
    return str(FIELD_LABELS.get(name, name.replace("_", " ").capitalize()))


def refusal_text(errors: dict[str, list[str]], *, name_fields: bool = True) -> str:
    """Field errors as one line: "E-mail: Enter a valid address. Phone: ...", whole-form
    errors without a label.

    Always in English, whatever the active language: the line is stored in the audit
    trail (hash-chained), and `readable_message` translates its labels when shown.
    """
    with translation.override(texts.STORED_LANGUAGE):
        parts = []
        for name, messages in errors.items():
            text = " ".join(str(m) for m in messages)
            label = field_label(name) if name_fields else ""
            parts.append(f"{label}: {text}" if label else text)
        return _joined(parts)


def _joined(parts: list[str]) -> str:
    """Parts as one line: "; " between them, or a space after a finished sentence."""
    text = ""
    for part in parts:
        if text:
            text += " " if text[-1] in ".!?" else "; "
        text += part
    return text


@functools.cache
def _english_labels() -> tuple[dict[str, str], re.Pattern]:
    """The stored (English) labels, each with its field's name, and a pattern that finds
    them where a segment starts: the message's start, after "; " or after a sentence."""
    with translation.override(texts.STORED_LANGUAGE):
        names = {str(label): name for name, label in FIELD_LABELS.items()}
    choices = "|".join(re.escape(label) for label in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"(?:^|(?<=; )|(?<=[.!?] ))({choices}): ")


def readable_message(message: str) -> str:
    """A stored (English) message as a person reads it, in the active language: the
    catalogue's messages it was made of translated (`texts.translated`), fields named by
    their labels, never `__all__`. What the vendor and staff wrote stays as stored."""
    prefix = next((p for p in _PREFIXES if message.startswith(p)), None)
    if prefix is None:
        return texts.translated(message)
    rest = message[len(prefix) :]
    if _SEGMENT.match(rest):  # a row from before the labels: field names
        names = {name: name for name in [*FIELD_LABELS, NON_FIELD]}
        found = [m for m in _SEGMENT.finditer(rest) if m.group(1) in names]
    else:
        names, labelled = _english_labels()
        found = list(labelled.finditer(rest))
    return f"{_PREFIXES[prefix]}: {_segments(rest, found, names)}"


def _segments(rest: str, found: list[re.Match], names: dict[str, str]) -> str:
    """`rest` cut where each field's label (or name) starts: each label as the active
    language has it, each field's messages translated."""
    starts = [m.start() for m in found] + [len(rest)]
    pieces = [("", rest[: starts[0]])] if starts[0] else []
    pieces += [
        (field_label(names[m.group(1)]), rest[m.end() : end])
        for m, end in zip(found, starts[1:], strict=True)
    ]
    text = ""
    for label, body in pieces:
        separator = ""
        for ending in ("; ", " "):
            if body.endswith(ending):
                body, separator = body[: -len(ending)], ending
                break
        if separator == "; " and body.endswith("."):
            separator = " "  # a finished sentence needs no "; " after it
        text += (f"{label}: " if label else "") + texts.translated(body) + separator
    return text


def customer_names(codes: Iterable[int | None]) -> dict[int, str]:
    """The names of those customer codes that are registered here: one query."""
    wanted = {code for code in codes if code is not None}
    if not wanted:
        return {}
    rows = Customer.objects.filter(customer_code__in=wanted).values_list("customer_code", "name")
    return dict(rows)


@dataclass(frozen=True)
class Described:
    """One audit row as shown: the row, and its words."""

    event: AuditEvent
    action: str
    outcome: str
    tone: str
    sentence: str
    customer_name: str  # "" when that customer is not (or no longer) registered here
    sent: str = ""  # what was sent to FlashStart (no API key, no password)
    answer: str = ""  # FlashStart's answer, as recorded (bounded)

    @property
    def customer_known(self) -> bool:
        return bool(self.customer_name)


def call_words(event: AuditEvent) -> str:
    """The vendor call in a sentence: "FlashStart answered 200 in 41 ms." or ""."""
    if not event.endpoint:
        return ""
    values = {"endpoint": event.endpoint, "status": event.http_status, "ms": ""}
    if event.duration_ms is not None:
        values["ms"] = formats.number_format(event.duration_ms, force_grouping=True)
        if event.http_status:
            return _("FlashStart (%(endpoint)s) answered %(status)s in %(ms)s ms.") % values
        return _("FlashStart (%(endpoint)s) gave no answer in %(ms)s ms.") % values
    if event.http_status:
        return _("FlashStart (%(endpoint)s) answered %(status)s.") % values
    return _("FlashStart (%(endpoint)s) gave no answer.") % values


def sentence(event: AuditEvent) -> str:
    """The row's details folded into one readable sentence."""
    parts = []
    message = readable_message(event.message.strip())
    if message:
        parts.append(message if message[-1] in ".!?)" else message + ".")
    if event.assignment_id:
        parts.append(_("Assignment #%(number)s.") % {"number": event.assignment_id})
    call = call_words(event)
    if call:
        parts.append(call)
    return " ".join(parts)


def describe(events: Sequence[AuditEvent], *, with_calls: bool = False) -> list[Described]:
    """A page of rows in words: one query for the customers' names and, `with_calls`, one
    for what was sent to FlashStart and its answer (the list itself defers those)."""
    names = customer_names(e.customer_code for e in events)
    calls: dict[int, tuple[str, str]] = {}
    if with_calls:
        called = [e.pk for e in events if e.endpoint]
        if called:
            rows = AuditEvent.objects.filter(pk__in=called).values_list("pk", "sent", "answer")
            calls = {pk: (sent, answer) for pk, sent, answer in rows}
    return [
        Described(
            event=e,
            action=action_words(e.action),
            outcome=outcome_words(e.action, e.outcome),
            tone=outcome_tone(e.outcome),
            sentence=sentence(e),
            customer_name=names.get(e.customer_code, "") if e.customer_code is not None else "",
            sent=calls.get(e.pk, ("", ""))[0],
            answer=calls.get(e.pk, ("", ""))[1],
        )
        for e in events
    ]
