"""The portal's records: customers, licence assignments, the append-only audit trail,
reminders, the Reports roll-up, spending limits and approvals.

Invariants live in the database (unique and check constraints), so that no code path,
admin action or shell session can store an impossible state. One module per subject;
import from `licensing.models`.
"""

from licensing.models.approvals import (
    ApprovalRequest,
    ApprovalStatus,
    SpendingLimit,
    stuck_after,
)
from licensing.models.assignments import (
    AssignmentKind,
    AssignmentStatus,
    LicenseAssignment,
    Renewal,
    VendorAnswer,
)
from licensing.models.audit import (
    AppendOnlyQuerySet,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditOutcome,
)
from licensing.models.customers import (
    Customer,
    Language,
    Profile,
)
from licensing.models.reminders import (
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from licensing.models.rollups import (
    RollupDemoLead,
    RollupEntry,
    RollupMonth,
)

__all__ = [
    "AppendOnlyQuerySet",
    "ApprovalRequest",
    "ApprovalStatus",
    "AssignmentKind",
    "AssignmentStatus",
    "AuditAction",
    "AuditChainHead",
    "AuditEvent",
    "AuditOutcome",
    "Customer",
    "Language",
    "LicenseAssignment",
    "Profile",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "Renewal",
    "RollupDemoLead",
    "RollupEntry",
    "RollupMonth",
    "SpendingLimit",
    "stuck_after",
    "VendorAnswer",
]
