"""The audit trail in words a manager or an auditor reads without a glossary.

- `action_words` and `outcome_words`: what was attempted and how it ended ("Open the
  customer's dashboard" · "Link issued"), instead of the stored codes;
- `field_label` and `readable_message`: refusals name fields by their labels on the forms
  ("Label for this licence: ...") and never `__all__` (rows written before the services
  wrote labels are translated when shown);
- `describe`: one page of rows with all of that, the customer's name when that customer is
  registered here (one query for the page) and the vendor call folded into the sentence.

The stored rows are never changed (they are hash-chained): only how they are shown.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from licensing.models import AuditAction, AuditEvent, AuditOutcome, Customer

# What a person was doing, as the staff pages say it.
ACTIONS: dict[str, str] = {
    AuditAction.LICENSE_ASSIGN: "Assign a paid licence",
    AuditAction.DEMO_ASSIGN: "Assign a demo",
    AuditAction.RENEWAL_SUSPEND: "Suspend renewal",
    AuditAction.RENEWAL_RESUME: "Resume renewal",
    AuditAction.ASSIGNMENT_RESOLVE: "Resolve an unknown outcome",
    AuditAction.CUSTOMER_REGISTER: "Link a FlashStart customer",
    AuditAction.CUSTOMER_CREATE: "Create a customer at FlashStart",
    AuditAction.CUSTOMER_UPDATE: "Change a customer",
    AuditAction.CUSTOMER_DELETE: "Delete a customer",
    AuditAction.DASHBOARD_OPEN: "Open the customer's dashboard",
    AuditAction.LOGIN: "Log in",
    AuditAction.LOGIN_FAILED: "Log in (wrong username or password)",
    AuditAction.LOGIN_LOCKED: "Log in (locked out)",
    AuditAction.LOGOUT: "Log out",
    AuditAction.ACCESS_DENIED: "Open a page",
    AuditAction.AUDIT_EXPORT: "Export the audit trail",
    "reminder_send": "Send a reminder e-mail",
    "profile_update": "Change own settings",
}

# How an attempt ended, in general...
OUTCOMES: dict[str, str] = {
    AuditOutcome.SUCCESS: "Done",
    AuditOutcome.FAILED: "Refused by FlashStart",
    AuditOutcome.UNKNOWN: "Outcome unknown",
    AuditOutcome.INVALID: "Input refused",
    AuditOutcome.DENIED: "Not allowed",
    AuditOutcome.DUPLICATE: "Repeated submit",
    AuditOutcome.ERROR: "FlashStart unavailable",
}
# ... and what a success (or a refusal) was for each action.
SPECIFIC_OUTCOMES: dict[tuple[str, str], str] = {
    (AuditAction.LICENSE_ASSIGN, AuditOutcome.SUCCESS): "Assigned",
    (AuditAction.DEMO_ASSIGN, AuditOutcome.SUCCESS): "Demo assigned",
    (AuditAction.RENEWAL_SUSPEND, AuditOutcome.SUCCESS): "Renewal suspended",
    (AuditAction.RENEWAL_RESUME, AuditOutcome.SUCCESS): "Renewal resumed",
    (AuditAction.ASSIGNMENT_RESOLVE, AuditOutcome.SUCCESS): "Resolved",
    (AuditAction.CUSTOMER_REGISTER, AuditOutcome.SUCCESS): "Linked",
    (AuditAction.CUSTOMER_CREATE, AuditOutcome.SUCCESS): "Created",
    (AuditAction.CUSTOMER_UPDATE, AuditOutcome.SUCCESS): "Changed",
    (AuditAction.CUSTOMER_DELETE, AuditOutcome.SUCCESS): "Deleted",
    # The portal issues a one-time link; whether the browser then opened it, it cannot see.
    (AuditAction.DASHBOARD_OPEN, AuditOutcome.SUCCESS): "Link issued",
    (AuditAction.DASHBOARD_OPEN, AuditOutcome.FAILED): "No link: refused by FlashStart",
    (AuditAction.LOGIN, AuditOutcome.SUCCESS): "Logged in",
    (AuditAction.LOGOUT, AuditOutcome.SUCCESS): "Logged out",
    (AuditAction.LOGIN_FAILED, AuditOutcome.DENIED): "Refused",
    (AuditAction.LOGIN_LOCKED, AuditOutcome.DENIED): "Locked out",
    (AuditAction.AUDIT_EXPORT, AuditOutcome.SUCCESS): "Exported",
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
FIELD_LABELS: dict[str, str] = {
    "customer_code": "FlashStart customer code",
    "name": "Customer name",
    "email": "E-mail",
    "language": "Language",
    "lang": "Language",
    "notes": "Notes",
    "password": "Password",
    "customer_name": "First name or contact name",
    "customer_surname": "Surname",
    "company_name": "Company name",
    "country_code": "Country",
    "industry_code": "Industry",
    "phone": "Phone",
    "skype": "Skype",
    "license_code": "Licence",
    "license_info": "Label for this licence",
    "license_id": "FlashStart licence id",
    "license_duration": "Duration",
    "version_code": "Version",
    "currency_code": "Currency",
    "quote": "Price confirmation",
    "token": "Confirmation",
    "reason": "Reason",
    "note": "How you checked",
    "outcome": "What FlashStart confirmed",
    "expiry_date": "Expiry date",
    "accept_notifications": "Notify the customer",
}
NON_FIELD = "__all__"

# "Refused input: license_info: ...; __all__: ..." as the services wrote it before the
# labels: a segment starts at the message's start or after "; ", with a field's name.
_PREFIXES = ("Refused input: ", "Refused: ")
_SEGMENT = re.compile(r"(?:^|(?<=; ))(__all__|[a-z][a-z0-9_]{1,40}): ")


def action_words(action: str) -> str:
    """What was attempted, e.g. "Assign a paid licence"."""
    return ACTIONS.get(action) or _choice_label(AuditAction, action)


def outcome_words(action: str, outcome: str) -> str:
    """How it ended, e.g. "Link issued" or "Refused by FlashStart"."""
    specific = SPECIFIC_OUTCOMES.get((action, outcome))
    return specific or OUTCOMES.get(outcome) or _choice_label(AuditOutcome, outcome)


def _choice_label(choices, value: str) -> str:
    labels = dict(choices.choices)
    return str(labels.get(value) or value.replace("_", " ").capitalize())


def outcome_tone(outcome: str) -> str:
    return TONES.get(outcome, "neutral")


def field_label(name: str) -> str:
    """The label a person saw for field `name` ("" for errors about the whole form)."""
    if name == NON_FIELD:
        return ""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def refusal_text(errors: dict[str, list[str]], *, name_fields: bool = True) -> str:
    """Field errors as one line: "E-mail: Enter a valid address. Phone: ...", whole-form
    errors without a label."""
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


def readable_message(message: str) -> str:
    """A stored message as a person reads it: field names as labels, no `__all__`."""
    prefix = next((p for p in _PREFIXES if message.startswith(p)), None)
    if prefix is None:
        return message
    rest = message[len(prefix) :]
    if not _SEGMENT.match(rest):
        return message

    def label(match: re.Match) -> str:
        name = match.group(1)
        if name != NON_FIELD and name not in FIELD_LABELS:
            return match.group(0)
        text = field_label(name)
        return f"{text}: " if text else ""

    return prefix + _SEGMENT.sub(label, rest).replace(".; ", ". ")


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
    took = f" in {event.duration_ms:,} ms" if event.duration_ms is not None else ""
    if event.http_status:
        return f"FlashStart ({event.endpoint}) answered {event.http_status}{took}."
    return f"FlashStart ({event.endpoint}) gave no answer{took}."


def sentence(event: AuditEvent) -> str:
    """The row's details folded into one readable sentence."""
    parts = []
    message = readable_message(event.message.strip())
    if message:
        parts.append(message if message[-1] in ".!?)" else message + ".")
    if event.assignment_id:
        parts.append(f"Assignment #{event.assignment_id}.")
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
