"""Suspending or resuming the renewal of several licences of one customer in one go.

Each licence is still its own change through `renewals.renewal_suspend` /
`renewals.renewal_resume`: its own lease, vendor call, settling and audit row. This module
only checks the selection as a whole (refusing it, audited, before any call), then makes
the changes one after another, never inside a transaction, and reports each outcome.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy, ngettext, ngettext_lazy

from licensing import audit, texts
from licensing.models import AuditAction, Customer, LicenseAssignment, Renewal
from licensing.services import access, renewals, settling
from licensing.services.outcomes import ActionOutcome, InputInvalid

BULK_MAX = 50  # sequential vendor calls in one request: keep the wait bounded
ACTIONS = {
    "suspend": (AuditAction.RENEWAL_SUSPEND, Renewal.SUSPENDED),
    "resume": (AuditAction.RENEWAL_RESUME, Renewal.ON),
}
# What happened to one licence, as the result page groups them.
CHANGED, ALREADY, FAILED = "changed", "already", "failed"


@dataclass(frozen=True)
class BulkItem:
    """One licence of a bulk change and how its change ended."""

    assignment: LicenseAssignment
    state: str  # CHANGED, ALREADY or FAILED
    level: str  # as ActionOutcome.level: "success", "error", "warning"
    message: str

    @property
    def retry(self) -> bool:
        """The change was not made: this licence is one to try again (the message says
        whether to check FlashStart first)."""
        return self.state == FAILED


@dataclass(frozen=True)
class BulkResult:
    """Every licence of a bulk change, in the order they were sent."""

    action: str  # "suspend" or "resume"
    reason: str
    items: tuple[BulkItem, ...]

    @property
    def changed(self) -> list[BulkItem]:
        return [item for item in self.items if item.state == CHANGED]

    @property
    def already(self) -> list[BulkItem]:
        return [item for item in self.items if item.state == ALREADY]

    @property
    def failed(self) -> list[BulkItem]:
        return [item for item in self.items if item.retry]

    @property
    def retry_ids(self) -> list[int]:
        return [item.assignment.pk for item in self.failed]

    @property
    def level(self) -> str:
        if not self.failed:
            return "success"
        return "warning" if self.changed or self.already else "error"

    def summary(self) -> str:
        """One sentence for the message area."""
        done = len(self.changed) + len(self.already)
        if self.action == "suspend":
            text = ngettext(
                "Renewal suspended for %(done)d of %(total)d licence.",
                "Renewal suspended for %(done)d of %(total)d licences.",
                len(self.items),
            )
        else:
            text = ngettext(
                "Renewal resumed for %(done)d of %(total)d licence.",
                "Renewal resumed for %(done)d of %(total)d licences.",
                len(self.items),
            )
        text %= {"done": done, "total": len(self.items)}
        if self.failed:
            text += " " + ngettext(
                "%(count)d was not changed: try it again.",
                "%(count)d were not changed: try them again.",
                len(self.failed),
            ) % {"count": len(self.failed)}
        return text


def renewals_bulk_change(
    *,
    meta: audit.RequestMeta,
    customer: Customer,
    assignment_ids: list[int],
    action: str,
    reason: str = "",
) -> BulkResult:
    """Suspend (with `reason`) or resume the renewal of the customer's licences
    `assignment_ids`, one vendor call each, and return how each one ended.

    Raises `InputInvalid` (audited once, nothing sent) when the selection is empty, too
    long, repeats a licence, names one that is not this customer's or has no renewal to
    change (not an active paid licence), or the reason is missing; `PermissionRefused`
    when the user is not in Sales.
    """
    audit_action, _target = ACTIONS.get(action, (AuditAction.RENEWAL_SUSPEND, ""))
    code = customer.customer_code
    access.require_sales(
        meta=meta,
        what=gettext_lazy("change renewals"),
        action=audit_action,
        customer_code=code,
    )
    reason = " ".join((reason or "").split())
    assignments, errors = _selection(customer, assignment_ids)
    # Lazy: the audit row has them in English, the page in its own language.
    if action not in ACTIONS:
        errors["action"] = [gettext_lazy("Choose whether to suspend or resume renewal.")]
    elif action == "suspend" and len(reason) < 3:
        errors["reason"] = [gettext_lazy("Say why renewal is being suspended (a few words).")]
    elif action == "suspend" and len(reason) > 500:
        errors["reason"] = [gettext_lazy("Keep the reason under 500 characters.")]
    if errors:
        raise settling.refuse(
            meta=meta,
            action=audit_action,
            errors=errors,
            customer_code=code,
            prefix=gettext_lazy("Bulk renewal change refused"),
            name_fields=False,
        )
    return BulkResult(
        action=action,
        reason=reason,
        items=tuple(_change_one(meta, assignment, action, reason) for assignment in assignments),
    )


def _selection(
    customer: Customer, assignment_ids: list[int]
) -> tuple[list[LicenseAssignment], dict[str, list[texts.StrOrPromise]]]:
    """The selected licences in the order given, and what is wrong with the selection
    (translated when written out)."""
    problems: list[texts.StrOrPromise] = []
    ids = list(assignment_ids)
    if not ids:
        problems.append(gettext_lazy("Select at least one licence."))
    elif len(ids) > BULK_MAX:
        problems.append(
            texts.message(
                gettext_lazy(
                    "Select at most %(max)d licences at a time (%(count)d were selected)."
                ),
                max=BULK_MAX,
                count=len(ids),
            )
        )
    elif len(set(ids)) != len(ids):
        problems.append(gettext_lazy("The selection names a licence more than once."))
    if problems:
        return [], {"assignment": problems}
    found = {
        a.pk: a
        for a in LicenseAssignment.objects.select_related("customer").filter(
            pk__in=ids, customer=customer
        )
    }
    foreign = [pk for pk in ids if pk not in found]
    if foreign:
        problems.append(
            texts.message(
                ngettext_lazy(
                    "Licence %(ids)s is not one of this customer's.",
                    "Licences %(ids)s are not this customer's.",
                    len(foreign),
                ),
                ids=", ".join(str(pk) for pk in foreign),
            )
        )
    fixed = [pk for pk in ids if pk in found and not found[pk].can_change_renewal]
    if fixed:
        problems.append(
            texts.message(
                ngettext_lazy(
                    "Licence %(ids)s has no renewal to change: only an active paid licence "
                    "has one.",
                    "Licences %(ids)s have no renewal to change: only an active paid licence "
                    "has one.",
                    len(fixed),
                ),
                ids=", ".join(str(pk) for pk in fixed),
            )
        )
    if problems:
        return [], {"assignment": problems}
    return [found[pk] for pk in ids], {}


def _change_one(
    meta: audit.RequestMeta, assignment: LicenseAssignment, action: str, reason: str
) -> BulkItem:
    """One licence through the single-licence service (which audits every attempt)."""
    target = ACTIONS[action][1]
    try:
        if action == "suspend":
            outcome = renewals.renewal_suspend(meta=meta, assignment=assignment, reason=reason)
        else:
            outcome = renewals.renewal_resume(meta=meta, assignment=assignment)
    except InputInvalid as exc:
        # Refused before any call: already in that state, or another change holds it.
        assignment.refresh_from_db()
        if assignment.renewal == target and assignment.renewal_change is None:
            return BulkItem(assignment, ALREADY, "success", _already(action))
        return BulkItem(assignment, FAILED, "error", str(exc))
    return _item(assignment, outcome)


def _item(assignment: LicenseAssignment, outcome: ActionOutcome) -> BulkItem:
    # "warning": FlashStart confirmed, but another change to the renewal followed.
    if outcome.level in ("success", "warning"):
        return BulkItem(assignment, CHANGED, outcome.level, str(outcome.message))
    return BulkItem(assignment, FAILED, outcome.level, str(outcome.message))


def _already(action: str) -> str:
    if action == "suspend":
        return gettext("Renewal was already suspended: nothing to change.")
    return gettext("Renewal was already on: nothing to change.")
