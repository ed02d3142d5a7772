"""Turning what the vendor did into what the portal records and says: the one place for it.

- `failures`: a failed call (`upstream.UpstreamError`) is first sorted into a `Failure`
  (`failure_of`); each service's `Wording` then says what that kind of failure means for
  it: the audit outcome and the words staff see (`judge`).
- `results`: what a vendor result means: a bought licence or a given demo
  (`assignment_bought`, `demo_given`: ACTIVE, flagged for a manager when details are
  missing or odd or the amount deducted is not the one shown), a failed purchase
  (`assignment_failed`), a renewal answer (`renewal_changed`, `renewal_failed`); each
  saved with its audit row through `services.safekeeping`, which keeps the vendor's
  answer first and never settles a row twice (`assignment_settle`).
- `refusals`: a refusal of input, audited (`refuse`, `refuse_failure`).

Services use the names below: `settling.judge(...)`, `settling.ASSIGN`.
"""

from licensing.services.settling.failures import (
    ASSIGN,
    CREATE,
    DASHBOARD,
    KEY_REJECTED_MESSAGE,
    NOT_SENT_MESSAGE,
    REGISTER,
    RENEWAL,
    UNKNOWN_MESSAGE,
    UNREACHABLE_MESSAGE,
    Failure,
    Rule,
    Verdict,
    Wording,
    failure_of,
    judge,
    vendor_reason,
)
from licensing.services.settling.refusals import REFUSED, REFUSED_INPUT, refuse, refuse_failure
from licensing.services.settling.results import (
    assignment_bought,
    assignment_failed,
    assignment_settle,
    demo_given,
    renewal_changed,
    renewal_failed,
)

__all__ = [
    "ASSIGN",
    "CREATE",
    "DASHBOARD",
    "KEY_REJECTED_MESSAGE",
    "NOT_SENT_MESSAGE",
    "REFUSED",
    "REFUSED_INPUT",
    "REGISTER",
    "RENEWAL",
    "UNKNOWN_MESSAGE",
    "UNREACHABLE_MESSAGE",
    "Failure",
    "Rule",
    "Verdict",
    "Wording",
    "assignment_bought",
    "assignment_failed",
    "assignment_settle",
    "demo_given",
    "failure_of",
    "judge",
    "refuse",
    "refuse_failure",
    "renewal_changed",
    "renewal_failed",
    "vendor_reason",
]
