"""Refusals of input (and failed calls that end an attempt), each audited once."""

from licensing import audit, upstream
from licensing.audit import words
from licensing.models import AuditOutcome, LicenseAssignment
from licensing.services.outcomes import InputInvalid
from licensing.services.settling.failures import Wording, judge


def refuse(
    *,
    meta: audit.RequestMeta,
    action: str,
    errors: dict[str, list[str]],
    customer_code: int | None = None,
    assignment: LicenseAssignment | None = None,
    call: upstream.CallRecord | None = None,
    outcome: str = AuditOutcome.INVALID,
    prefix: str = "Refused input",
    name_fields: bool = True,
) -> InputInvalid:
    """Audit a refusal and return the InputInvalid for the caller to raise.

    The audit message is "<prefix>: <field label>: <messages>; ..." with each field named
    as its form labels it, errors about the whole form unlabelled (and no label at all
    when `name_fields` is false), bounded to 2,000 characters.
    """
    text = words.refusal_text(errors, name_fields=name_fields)
    audit.record(
        meta=meta,
        action=action,
        outcome=outcome,
        customer_code=customer_code,
        assignment=assignment,
        call=call,
        message=f"{prefix}: {text}"[:2000],
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
        prefix="Refused",
    )
