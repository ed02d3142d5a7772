"""Refusals of input (and failed calls that end an attempt), each audited once."""

from collections.abc import Iterable, Mapping

from django.utils import translation
from django.utils.translation import gettext_noop

from licensing import audit, texts, upstream
from licensing.audit import words
from licensing.models import AuditOutcome, LicenseAssignment
from licensing.services.outcomes import InputInvalid
from licensing.services.settling.failures import Wording, judge

# How the audit row starts (kept in English, translated when the trail is shown).
REFUSED_INPUT = gettext_noop("Refused input")
REFUSED = gettext_noop("Refused")


def refuse(
    *,
    meta: audit.RequestMeta,
    action: str,
    errors: Mapping[str, Iterable[texts.StrOrPromise]],
    customer_code: int | None = None,
    assignment: LicenseAssignment | None = None,
    call: upstream.CallRecord | None = None,
    outcome: str = AuditOutcome.INVALID,
    prefix: texts.StrOrPromise = REFUSED_INPUT,
    name_fields: bool = True,
) -> InputInvalid:
    """Audit a refusal and return the InputInvalid for the caller to raise.

    The audit message is "<prefix>: <field label>: <messages>; ..." with each field named
    as its form labels it, errors about the whole form unlabelled (and no label at all
    when `name_fields` is false), bounded to 2,000 characters, in English whatever the
    page's language; the InputInvalid carries the errors in the page's language.
    """
    errors = {name: list(messages) for name, messages in errors.items()}
    with translation.override(texts.STORED_LANGUAGE):
        text = words.refusal_text(texts.shown_errors(errors), name_fields=name_fields)
        kept = f"{texts.message(prefix)}: {text}"
    audit.record(
        meta=meta,
        action=action,
        outcome=outcome,
        customer_code=customer_code,
        assignment=assignment,
        call=call,
        message=kept[:2000],
    )
    return InputInvalid(errors)


def refuse_failure(
    *,
    meta: audit.RequestMeta,
    action: str,
    exc: upstream.UpstreamError,
    wording: Wording,
    customer_code: int | None = None,
) -> InputInvalid:
    """Audit a failed call that ends the attempt, and return the InputInvalid to raise."""
    verdict = judge(exc, wording, customer_code=customer_code)
    return refuse(
        meta=meta,
        action=action,
        errors=verdict.errors,
        customer_code=customer_code,
        call=verdict.call,
        outcome=verdict.outcome,
        prefix=REFUSED,
    )
