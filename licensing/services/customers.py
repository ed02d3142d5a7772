"""Customers: linking an existing vendor customer, creating one at the vendor, opening its
dashboard, and the managers' edits and deletions (which stay local: a customer deleted
here stays a customer at FlashStart).

A new customer's password goes to the vendor and nowhere else: not stored, not logged,
not in the audit row (the client redacts it from what it reports as sent).
"""

import re
from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy, gettext_noop

from licensing import audit, selectors, texts, upstream
from licensing.countries import ISO_COUNTRY_CODES
from licensing.models import AuditAction, AuditOutcome, Customer
from licensing.services import access, settling
from licensing.services.outcomes import InputInvalid

MIN_PASSWORD_LENGTH = 8
# The code is the vendor's: a different customer is registered, not edited into place.
EDITABLE_FIELDS = ("name", "email", "language", "notes", "owner")
GONE_MESSAGE = gettext_noop("This customer was deleted a moment ago.")


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
        meta=meta,
        what=gettext_lazy("register customers"),
        action=action,
        customer_code=customer_code,
    )
    existing = Customer.objects.filter(customer_code=customer_code).first()
    if existing is not None:
        taken = texts.message(
            gettext_lazy("Code %(code)s is already registered as “%(name)s”."),
            code=customer_code,
            name=existing.name,
        )
        raise _refuse(meta, action, customer_code, {"customer_code": [taken]})
    customer = Customer(
        customer_code=customer_code,
        name=name.strip(),
        email=email.strip(),
        language=language,
        notes=notes.strip(),
        created_by=meta.user,
        owner=meta.user,
    )
    _full_clean(meta, action, customer)

    # The catalogue doubles as an existence check: the vendor refuses unknown codes.
    try:
        probe = upstream.get_client().licenses_available(customer_code=customer_code, lang=language)
    except upstream.UpstreamError as exc:
        raise settling.refuse_failure(
            meta=meta,
            action=action,
            exc=exc,
            wording=settling.REGISTER,
            customer_code=customer_code,
        ) from None
    return _save_new(
        meta,
        action,
        customer,
        call=probe.call,
        message=texts.english(
            gettext_lazy("Registered %(name)s (%(code)s)."), name=customer.name, code=customer_code
        ),
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
    access.require_sales(meta=meta, what=gettext_lazy("create customers"), action=action)
    email, customer_name = email.strip(), " ".join(customer_name.split())
    company_name, country_code = company_name.strip(), country_code.strip().upper()
    errors: dict[str, list[texts.StrOrPromise]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [gettext_lazy("Enter a valid e-mail address.")]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [
            texts.message(
                gettext_lazy("Use at least %(count)s characters."), count=MIN_PASSWORD_LENGTH
            )
        ]
    if not customer_name:
        errors["customer_name"] = [gettext_lazy("Enter the customer's name.")]
    if country_code not in ISO_COUNTRY_CODES:
        errors["country_code"] = [gettext_lazy("Choose a country from the list.")]
    industries = {c.value: c.label for c in selectors.directory("industries")}
    industry_code = str(industry_code).strip()
    if industry_code not in industries:
        errors["industry_code"] = [gettext_lazy("Choose an industry from the list.")]
    elif not company_name and "family" not in industries[industry_code].lower():
        errors["company_name"] = [
            gettext_lazy("Enter the company name (only families may leave it empty).")
        ]
    if phone and not re.fullmatch(r"[0-9 +()./-]{4,30}", phone):
        errors["phone"] = [gettext_lazy("Enter a phone number with digits, spaces and + only.")]
    if errors:
        raise _refuse(meta, action, None, errors)

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
    except upstream.UpstreamError as exc:
        raise settling.refuse_failure(
            meta=meta, action=action, exc=exc, wording=settling.CREATE
        ) from None

    name = company_name or " ".join(filter(None, [customer_name, customer_surname.strip()]))
    customer = Customer(
        customer_code=created.customer_code,
        name=name[:200],
        email=email,
        language=lang,
        notes=notes.strip(),
        created_by=meta.user,
        owner=meta.user,
    )
    return _save_new(
        meta,
        action,
        customer,
        call=created.call,
        message=texts.english(
            gettext_lazy("Created %(name)s at FlashStart as %(code)s."),
            name=name,
            code=created.customer_code,
        ),
    )


def dashboard_link(*, meta: audit.RequestMeta, customer: Customer) -> str:
    """A one-time link into the customer's own FlashStart dashboard (valid 15 minutes).

    The link carries a login token: it is returned to the caller only, never stored or logged.
    Raises InputInvalid (audited) when the vendor gives no token.
    """
    action = AuditAction.DASHBOARD_OPEN
    access.require_sales(
        meta=meta,
        what=gettext_lazy("open customer dashboards"),
        action=action,
        customer_code=customer.customer_code,
    )
    try:
        link = upstream.get_client().dashboard_token(customer_code=customer.customer_code)
    except upstream.UpstreamError as exc:
        raise settling.refuse_failure(
            meta=meta,
            action=action,
            exc=exc,
            wording=settling.DASHBOARD,
            customer_code=customer.customer_code,
        ) from None
    audit.record(
        meta=meta,
        action=action,
        outcome=AuditOutcome.SUCCESS,
        customer_code=customer.customer_code,
        call=link.call,
        message=texts.english(
            gettext_lazy(
                "One-time link to the customer's FlashStart dashboard issued to the browser "
                "(valid 15 minutes; the link itself is not kept)."
            )
        ),
    )
    return link.url


def customer_update(*, meta: audit.RequestMeta, customer: Customer, changed: list[str]) -> Customer:
    """Save the changes already made to `customer` in memory, naming them in the audit row.

    `changed` names the fields that changed (the admin form's `changed_data`); only those
    are validated and written, and only name, e-mail, language, notes and owner may change.
    Returns the customer; with nothing changed, it is returned unsaved and unaudited.
    Raises PermissionRefused (audited) for anyone but a manager, and InputInvalid
    (audited) for an invalid value, a field that may not change, or a deleted customer.
    """
    action = AuditAction.CUSTOMER_UPDATE
    code = customer.customer_code
    access.require_manager(
        meta=meta, what=gettext_lazy("change customers"), action=action, customer_code=code
    )
    fields = list(dict.fromkeys(changed))
    if not fields:
        return customer
    fixed = [name for name in fields if name not in EDITABLE_FIELDS]
    if fixed:
        cannot = texts.message(
            gettext_lazy("These cannot be changed here: %(fields)s."), fields=", ".join(fixed)
        )
        raise _refuse(meta, action, code, {"__all__": [cannot]})
    try:
        customer.full_clean(
            exclude=[f.name for f in Customer._meta.fields if f.name not in fields],
            validate_unique=False,
        )
    except ValidationError as exc:
        raise _refuse(meta, action, code, texts.validation_errors(exc)) from None

    with transaction.atomic():
        before = Customer.objects.select_for_update().filter(pk=customer.pk).values(*fields).first()
        if before is not None:
            described = "; ".join(
                f"{name}: {_shown(name, before[name])!r} → "
                f"{_shown(name, getattr(customer, name))!r}"
                for name in fields
            )
            customer.save(update_fields=[*fields, "updated_at"])
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                customer_code=code,
                message=texts.english(
                    gettext_lazy("Changed in the admin: %(changes)s"), changes=described
                ),
            )
    if before is None:
        raise _refuse(meta, action, code, {"__all__": [texts.message(GONE_MESSAGE)]})
    return customer


def customer_delete(*, meta: audit.RequestMeta, customer: Customer) -> None:
    """Forget a customer that never had an assignment, with an audit row.

    Assignments keep their customer (the purchases must stay traceable), so a customer
    with any is refused. Raises PermissionRefused (audited) for anyone but a manager, and
    InputInvalid (audited) when the customer has assignments or is already gone.
    """
    action = AuditAction.CUSTOMER_DELETE
    code, name = customer.customer_code, customer.name
    access.require_manager(
        meta=meta, what=gettext_lazy("delete customers"), action=action, customer_code=code
    )
    has_assignments: dict[str, list[texts.StrOrPromise]] = {
        "__all__": [
            texts.message(
                gettext_lazy("%(name)s has licence assignments, so it cannot be deleted."),
                name=name,
            )
        ]
    }
    if customer.assignments.exists():
        raise _refuse(meta, action, code, has_assignments)
    try:
        with transaction.atomic():
            deleted, _ = customer.delete()
            if deleted:
                audit.record(
                    meta=meta,
                    action=action,
                    outcome=AuditOutcome.SUCCESS,
                    customer_code=code,
                    message=texts.english(
                        gettext_lazy(
                            "Deleted %(name)s (%(code)s) in the admin; it had no assignments."
                        ),
                        name=name,
                        code=code,
                    ),
                )
    except ProtectedError:
        # An assignment was made between the check and the delete.
        raise _refuse(meta, action, code, has_assignments) from None
    if not deleted:
        raise _refuse(meta, action, code, {"__all__": [texts.message(GONE_MESSAGE)]})


# --- helpers ----------------------------------------------------------------------------


def _shown(name: str, value) -> str:
    """A value as the audit row names it: the owner by username (`values()` gives its id)."""
    if name == "owner" and isinstance(value, int):
        user = get_user_model().objects.filter(pk=value).values_list("username", flat=True)
        value = user.first() or value
    return str(value)[:80]


def _full_clean(meta: audit.RequestMeta, action: str, customer: Customer) -> None:
    try:
        customer.full_clean(validate_unique=False)
    except ValidationError as exc:
        errors = texts.validation_errors(exc)
        raise _refuse(meta, action, customer.customer_code, errors) from None


def _save_new(
    meta: audit.RequestMeta,
    action: str,
    customer: Customer,
    *,
    call: upstream.CallRecord | None,
    message: str,
) -> Customer:
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
        raise _refuse(
            meta,
            action,
            customer.customer_code,
            {
                "customer_code": [
                    texts.message(
                        gettext_lazy("Code %(code)s was registered by someone else a moment ago."),
                        code=customer.customer_code,
                    )
                ]
            },
        ) from None
    return customer


def _refuse(
    meta: audit.RequestMeta,
    action: str,
    customer_code: int | None,
    errors: Mapping[str, Iterable[texts.StrOrPromise]],
) -> InputInvalid:
    return settling.refuse(
        meta=meta,
        action=action,
        errors=errors,
        customer_code=customer_code,
        prefix=settling.REFUSED,
    )
