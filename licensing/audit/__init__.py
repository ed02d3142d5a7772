"""The audit trail: append-only, hash-chained, verifiable, exportable.

- `hashing`: the rule of a row's hash (fields, canonical values, digest) and so of the
  export's columns;
- `chain`: writing rows (`record`) and what every row records about a request (`RequestMeta`);
- `queries`: filtering and paging the trail for the audit page and the exports;
- `exports`: CSV and XLSX files an auditor can open and check;
- `verify`: walking the chain to prove nothing was changed, removed or reordered;
- `export_rows`, `export_check`: the rows an export writes, and checking a file against the chain;
- `words`: an event told in words for the audit page;
- `checkpoints`: anchoring the head of the chain (sequence, hash, time) outside the database.
"""

from licensing.audit import checkpoints, export_check, export_rows, exports, hashing, queries, words
from licensing.audit.chain import RequestMeta, client_ip, record, scrub
from licensing.audit.hashing import GENESIS_HASH
from licensing.audit.queries import AuditFilters
from licensing.audit.verify import ChainBreak, verify

__all__ = [
    "GENESIS_HASH",
    "AuditFilters",
    "ChainBreak",
    "RequestMeta",
    "checkpoints",
    "client_ip",
    "export_check",
    "export_rows",
    "exports",
    "hashing",
    "queries",
    "record",
    "scrub",
    "verify",
    "words",
]
