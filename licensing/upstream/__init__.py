"""The vendor: FlashStart's customer-area API, and nothing above this package sees its JSON.

One rule per module:
- `client`: one method per vendor endpoint, building its request and returning its
  result (`get_client()` builds a client from settings);
- `transport`: sending a request over HTTP: the deadline, retries of reads, reading the
  answer within the deadline and a size limit, one log line per attempt, secrets kept
  out of logs and audit records;
- `envelope`: what an answer means as a whole (`{"code": ..., "content": ...}`), the
  body's code winning over a 2xx HTTP status;
- `answers`: the frozen results the parsers make of each endpoint's content;
- `values`: reading one value however the vendor spells it (numbers, ids, currencies);
- `errors`: the `CallRecord` every result and error carries, and the `UpstreamError`
  hierarchy callers act on;
- `breaker`: a circuit breaker shared by every worker through the cache;
- `sandbox`: a local stand-in for the vendor, for the demo run and the tests.

Modules import each other's public names only. Callers import the package and use the
names below: `upstream.get_client().license_assign(...)`, `except upstream.Unavailable`.
"""

from licensing.upstream.answers import (
    AssignResult,
    AvailableLicenses,
    Choice,
    CustomerCreated,
    DashboardLink,
    DemoResult,
    License,
    MessageResult,
)
from licensing.upstream.client import (
    BREAKER_MESSAGE,
    DEFAULT_DASHBOARD_URL,
    DIRECTORIES,
    FlashStartClient,
    get_client,
)
from licensing.upstream.errors import (
    CallRecord,
    KeyRejected,
    Refused,
    Unavailable,
    UnreadableAnswer,
    UpstreamError,
    ValidationFailed,
)
from licensing.upstream.transport import READ_ATTEMPTS, REDACTED

__all__ = [
    "BREAKER_MESSAGE",
    "DEFAULT_DASHBOARD_URL",
    "DIRECTORIES",
    "READ_ATTEMPTS",
    "REDACTED",
    "AssignResult",
    "AvailableLicenses",
    "CallRecord",
    "Choice",
    "CustomerCreated",
    "DashboardLink",
    "DemoResult",
    "FlashStartClient",
    "KeyRejected",
    "License",
    "MessageResult",
    "Refused",
    "Unavailable",
    "UnreadableAnswer",
    "UpstreamError",
    "ValidationFailed",
    "get_client",
]
