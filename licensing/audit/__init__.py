"""The audit trail: append-only, hash-chained, verifiable, exportable.

- `chain`: writing rows (`record`) and what every row records about a request (`RequestMeta`);
- `queries`: filtering and paging the trail for the audit page and the exports;
- `exports`: CSV and XLSX files an auditor can open and check;
- `verify`: walking the chain to prove nothing was changed, removed or reordered.
"""

from licensing.audit import exports, queries
from licensing.audit.chain import GENESIS_HASH, RequestMeta, client_ip, record, scrub
from licensing.audit.queries import AuditFilters
from licensing.audit.verify import ChainBreak, verify

__all__ = [
    "GENESIS_HASH",
    "AuditFilters",
    "ChainBreak",
    "RequestMeta",
    "client_ip",
    "exports",
    "queries",
    "record",
    "scrub",
    "verify",
]
