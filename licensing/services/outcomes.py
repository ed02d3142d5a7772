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
