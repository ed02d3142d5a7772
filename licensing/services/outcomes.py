"""What services return and raise."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from licensing import texts


class PermissionRefused(PermissionDenied):
    """The user may not do this. Already audited when raised."""


class InputInvalid(Exception):
    """Input refused before (or by) the vendor. Already audited when raised.

    `errors` maps a form field name (or "__all__") to messages a salesperson understands,
    written out in the language of the request that raised it.
    """

    def __init__(self, errors: Mapping[str, Iterable[texts.StrOrPromise]]):
        self.errors = texts.shown_errors(errors)
        super().__init__("; ".join(m for msgs in self.errors.values() for m in msgs))


class RepeatPurchase(InputInvalid):
    """A second purchase of a licence the customer bought lately (or whose purchase is
    pending or unknown): held, not sent, until the salesperson confirms it by passing
    `repeat_of=earlier.pk`. Already audited when raised."""

    def __init__(self, errors: Mapping[str, Iterable[texts.StrOrPromise]], *, earlier: object):
        super().__init__(errors)
        self.earlier = earlier


@dataclass(frozen=True)
class ActionOutcome:
    """The settled result of an action, ready to show.

    level: "success" (green), "error" (red) or "warning" (amber: outcome unknown).
    `message` may be given lazily: it is written out when the outcome is made, in the
    language of the request that made it.
    """

    level: str
    message: texts.StrOrPromise
    assignment: object | None = None
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    duplicate: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", str(self.message))

    @property
    def ok(self) -> bool:
        return self.level == "success"
