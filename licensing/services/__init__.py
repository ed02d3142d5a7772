"""Use cases: the only code that changes customers and assignments.

Each service checks permission and input, records intent, calls the vendor through
`licensing.upstream` outside any transaction, then settles the outcome together with
its audit row (`settling` decides what each vendor failure means and how staff are told).
Views and the admin call these and render what they return.
"""

from licensing.services.access import access_refuse, login_unlock
from licensing.services.approval_requests import approval_request
from licensing.services.approvals import (
    PriceChanged,
    approval_approve,
    approval_recover,
    approval_reject,
    approvals_expire,
    approvals_recover,
)
from licensing.services.assignments import demo_assign, license_assign
from licensing.services.customers import (
    customer_create,
    customer_delete,
    customer_register,
    customer_update,
    dashboard_link,
)
from licensing.services.limits import SpendingCheck, spending_check, spending_limit
from licensing.services.outcomes import (
    ActionOutcome,
    InputInvalid,
    PermissionRefused,
    RepeatPurchase,
)
from licensing.services.profiles import profile_get, profile_language_set, profile_update
from licensing.services.reminders import reminders_send
from licensing.services.renewals import renewal_record, renewal_resume, renewal_suspend
from licensing.services.renewals_bulk import BULK_MAX, BulkItem, BulkResult, renewals_bulk_change
from licensing.services.resolutions import assignment_resolve
from licensing.services.rollups import rollup_rebuild, rollup_record

__all__ = [
    "BULK_MAX",
    "ActionOutcome",
    "BulkItem",
    "BulkResult",
    "InputInvalid",
    "PermissionRefused",
    "PriceChanged",
    "RepeatPurchase",
    "SpendingCheck",
    "access_refuse",
    "login_unlock",
    "approval_approve",
    "approval_recover",
    "approval_reject",
    "approval_request",
    "approvals_expire",
    "approvals_recover",
    "assignment_resolve",
    "customer_create",
    "customer_delete",
    "customer_register",
    "customer_update",
    "dashboard_link",
    "demo_assign",
    "license_assign",
    "profile_get",
    "profile_language_set",
    "profile_update",
    "reminders_send",
    "renewal_record",
    "renewal_resume",
    "renewal_suspend",
    "renewals_bulk_change",
    "rollup_rebuild",
    "rollup_record",
    "spending_check",
    "spending_limit",
]
