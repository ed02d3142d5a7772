"""Registering customers: linking an existing vendor customer, or creating one at the vendor.

A new customer's password goes to the vendor and nowhere else: not stored, not logged,
not in the audit row (the client redacts it from what it reports as sent).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from licensing import audit, selectors, upstream
from licensing.countries import ISO_COUNTRY_CODES
from licensing.models import AuditAction, AuditOutcome, Customer
from licensing.services import access
from licensing.services.assignments import KEY_REJECTED_MESSAGE
from licensing.services.outcomes import InputInvalid, vendor_reason

UNREACHABLE_MESSAGE = "FlashStart is not answering right now. Please try again in a minute."
MIN_PASSWORD_LENGTH = 8


def customer_register(
    *,
    meta: audit.RequestMeta,
    customer_code: int,
    name: str,
    email: str = "",
    language: str = "en",
    notes: str = "",
) -> Customer:
    """Link an existing FlashStart customer to the portal, after checking its code.

    Raises InputInvalid (audited) when the code is already registered, unknown to the
    vendor, or cannot be checked.
    """
    action = AuditAction.CUSTOMER_REGISTER
    access.require_sales(
        meta=meta, what="register customers", action=action, customer_code=customer_code
    )
    existing = Customer.objects.filter(customer_code=customer_code).first()
    if existing is not None:
        _refuse(
            meta,
            action,
            customer_code,
            {
                "customer_code": [
                    f"Code {customer_code} is already registered as “{existing.name}”."
                ]
            },
        )
    customer = Customer(
        customer_code=customer_code,
        name=name.strip(),
        email=email.strip(),
        language=language,
        notes=notes.strip(),
        created_by=meta.user,
    )
    _full_clean(meta, action, customer)

    # The catalogue doubles as an existence check: the vendor refuses unknown codes.
    try:
        probe = upstream.get_client().licenses_available(customer_code=customer_code, lang=language)
        call = probe.call
    except upstream.ValidationFailed as exc:
        if "customer_code" in exc.field_errors:
            _refuse(
                meta,
                action,
                customer_code,
                {
                    "customer_code": [
                        f"FlashStart does not know customer code {customer_code}. "
                        "Check the code in the FlashStart customer area."
                    ]
                },
                call=exc.call,
            )
        _refuse(
            meta,
            action,
            customer_code,
            {"__all__": [f"FlashStart refused: {vendor_reason(exc)}"]},
            call=exc.call,
        )
    except upstream.KeyRejected as exc:
        _refuse(
            meta,
            action,
            customer_code,
            {"__all__": [KEY_REJECTED_MESSAGE]},
            call=exc.call,
            outcome=AuditOutcome.FAILED,
        )
    except upstream.UpstreamError as exc:
        _refuse(
            meta,
            action,
            customer_code,
            {
                "__all__": [
                    "FlashStart is not answering, so the customer code could not be checked. "
                    "Please try again in a minute."
                ]
            },
            call=exc.call,
            outcome=AuditOutcome.ERROR,
        )
    return _save_new(
        meta, action, customer, call=call, message=f"Registered {customer.name} ({customer_code})."
    )


def customer_create(
    *,
    meta: audit.RequestMeta,
    email: str,
    password: str,
    customer_name: str,
    country_code: str,
    industry_code: str | int,
    company_name: str = "",
    customer_surname: str = "",
    phone: str = "",
    lang: str = "en",
    notes: str = "",
) -> Customer:
    """Create a new customer at FlashStart, then register it here under the code it gets."""
    action = AuditAction.CUSTOMER_CREATE
    access.require_sales(meta=meta, what="create customers", action=action)
    email, customer_name = email.strip(), " ".join(customer_name.split())
    company_name, country_code = company_name.strip(), country_code.strip().upper()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid e-mail address."]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if not customer_name:
        errors["customer_name"] = ["Enter the customer's name."]
    if country_code not in ISO_COUNTRY_CODES:
        errors["country_code"] = ["Choose a country from the list."]
    industries = {c.value: c.label for c in selectors.directory("industries")}
    industry_code = str(industry_code).strip()
    if industry_code not in industries:
        errors["industry_code"] = ["Choose an industry from the list."]
    elif not company_name and "family" not in industries[industry_code].lower():
        errors["company_name"] = ["Enter the company name (only families may leave it empty)."]
    if phone and not re.fullmatch(r"[0-9 +()./-]{4,30}", phone):
        errors["phone"] = ["Enter a phone number with digits, spaces and + only."]
    if errors:
        _refuse(meta, action, None, errors)

    try:
        created = upstream.get_client().customer_create(
            email=email,
            password=password,
            customer_name=customer_name,
            customer_surname=customer_surname.strip() or None,
            country_code=country_code,
            industry_code=int(industry_code),
            company_name=company_name or None,
            phone=phone.strip() or None,
            lang=lang,
        )
    except upstream.ValidationFailed as exc:
        _refuse(
            meta,
            action,
            None,
            _vendor_field_errors(exc),
            call=exc.call,
            outcome=AuditOutcome.FAILED,
        )
    except upstream.KeyRejected as exc:
        _refuse(
            meta,
            action,
            None,
            {"__all__": [KEY_REJECTED_MESSAGE]},
            call=exc.call,
            outcome=AuditOutcome.FAILED,
        )
    except upstream.UpstreamError as exc:
        message = UNREACHABLE_MESSAGE
        outcome = AuditOutcome.ERROR
        if exc.may_have_taken_effect:
            outcome = AuditOutcome.UNKNOWN
            message = (
                "FlashStart did not confirm. The customer may have been created: check "
                "the FlashStart customer area before trying again, then link it by code."
            )
        _refuse(meta, action, None, {"__all__": [message]}, call=exc.call, outcome=outcome)

    name = company_name or " ".join(filter(None, [customer_name, customer_surname.strip()]))
    customer = Customer(
        customer_code=created.customer_code,
        name=name[:200],
        email=email,
        language=lang,
        notes=notes.strip(),
        created_by=meta.user,
    )
    return _save_new(
        meta,
        action,
        customer,
        call=created.call,
        message=f"Created {name} at FlashStart as {created.customer_code}.",
    )


def dashboard_link(*, meta: audit.RequestMeta, customer: Customer) -> str:
    """A one-time link into the customer's own FlashStart dashboard (valid 15 minutes).

    The link carries a login token: it is returned to the caller only, never stored or logged.
    Raises InputInvalid (audited) when the vendor gives no token.
    """
    action = AuditAction.DASHBOARD_OPEN
    access.require_sales(
        meta=meta,
        what="open customer dashboards",
        action=action,
        customer_code=customer.customer_code,
    )
    try:
        link = upstream.get_client().dashboard_token(customer_code=customer.customer_code)
    except upstream.KeyRejected as exc:
        _refuse(
            meta,
            action,
            customer.customer_code,
            {"__all__": [KEY_REJECTED_MESSAGE]},
            call=exc.call,
            outcome=AuditOutcome.FAILED,
        )
    except upstream.UpstreamError as exc:
        _refuse(
            meta,
            action,
            customer.customer_code,
            {"__all__": [f"FlashStart gave no login link: {vendor_reason(exc)}"]},
            call=exc.call,
            outcome=AuditOutcome.FAILED if exc.status else AuditOutcome.ERROR,
        )
    audit.record(
        meta=meta,
        action=action,
        outcome=AuditOutcome.SUCCESS,
        customer_code=customer.customer_code,
        call=link.call,
        message="One-time dashboard link issued (valid 15 minutes).",
    )
    return link.url


# --- helpers ----------------------------------------------------------------------------


def _full_clean(meta, action, customer: Customer) -> None:
    try:
        customer.full_clean(validate_unique=False)
    except ValidationError as exc:
        errors = {
            k if k != "__all__" else "__all__": [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
        _refuse(meta, action, customer.customer_code, errors)


def _save_new(meta, action, customer: Customer, *, call, message) -> Customer:
    try:
        with transaction.atomic():
            customer.save(force_insert=True)
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=customer.customer_code,
                call=call,
                message=message,
            )
    except IntegrityError:
        _refuse(
            meta,
            action,
            customer.customer_code,
            {
                "customer_code": [
                    f"Code {customer.customer_code} was registered by someone else a moment ago."
                ]
            },
        )
    return customer


def _vendor_field_errors(exc: upstream.ValidationFailed) -> dict[str, list[str]]:
    errors = {}
    for field, messages in exc.field_errors.items():
        errors.setdefault(field, []).extend(str(m) for m in messages)
    return errors or {"__all__": [vendor_reason(exc)]}


def _refuse(meta, action, customer_code, errors, *, call=None, outcome=AuditOutcome.INVALID):
    text = "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items())
    audit.record(
        meta=meta,
        action=action,
        outcome=outcome,
        customer_code=customer_code,
        call=call,
        message=f"Refused: {text}"[:2000],
    )
    raise InputInvalid(errors)
