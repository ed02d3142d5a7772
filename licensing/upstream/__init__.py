"""The vendor: FlashStart's customer-area API, and nothing above this package sees its JSON.

- `client`: one method per vendor endpoint (`get_client()` builds one from settings);
- `answers`: what the vendor's answers become (frozen results) and the errors it raises;
- `breaker`: a circuit breaker shared by every worker through the cache;
- `sandbox`: a local stand-in for the vendor, for the demo run and the tests.

Callers import the package and use its names: `upstream.get_client().license_assign(...)`,
`except upstream.Unavailable`.
"""

from licensing.upstream.answers import (
    REDACTED,
    AssignResult,
    AvailableLicenses,
    CallRecord,
    Choice,
    CustomerCreated,
    DashboardLink,
    DemoResult,
    KeyRejected,
    License,
    MessageResult,
    Refused,
    Unavailable,
    UnreadableAnswer,
    UpstreamError,
    ValidationFailed,
)
from licensing.upstream.client import (
    BREAKER_MESSAGE,
    DEFAULT_DASHBOARD_URL,
    DIRECTORIES,
    READ_ATTEMPTS,
    FlashStartClient,
    get_client,
)

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
