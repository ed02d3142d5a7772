"""What services return and raise."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied


class PermissionRefused(PermissionDenied):
    """The user may not do this. Already audited when raised."""


class InputInvalid(Exception):
    """Input refused before (or by) the vendor. Already audited when raised.

    `errors` maps a form field name (or "__all__") to messages a salesperson understands.
    """

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))


class RepeatPurchase(InputInvalid):
    """A second purchase of a licence the customer bought lately (or whose purchase is
    pending or unknown): held, not sent, until the salesperson confirms it by passing
    `repeat_of=earlier.pk`. Already audited when raised."""

    def __init__(self, errors: dict[str, list[str]], *, earlier: object):
        super().__init__(errors)
        self.earlier = earlier


@dataclass(frozen=True)
class ActionOutcome:
    """The settled result of an action, ready to show.

    level: "success" (green), "error" (red) or "warning" (amber: outcome unknown).
    """

    level: str
    message: str
    assignment: object | None = None
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return self.level == "success"
