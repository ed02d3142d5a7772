"""What every form here shares: label style, clear choice errors, constants."""

from django import forms
from django.utils.translation import gettext_lazy, ngettext

from licensing.models import Language

CHOOSE_LISTED = gettext_lazy("Choose one of the listed options.")
DURATION_MONTHS = (1, 12, 24, 36)  # the catalogue's durations
QUOTE_SALT = "licensing.assign.quote"
QUOTE_MAX_AGE = 60 * 60  # a confirmed price older than this is asked for again
PHONE_PATTERN = r"^[0-9 +()./-]{4,30}$"  # as services.customer_create checks it


def _choices(items) -> list[tuple[str, str]]:
    return [(item.value, item.label) for item in items]


def duration_choices() -> list[tuple[int, str]]:
    """The catalogue's durations, labelled in the active language: (12, "12 months")."""
    return [
        (months, ngettext("%(counter)s month", "%(counter)s months", months) % {"counter": months})
        for months in DURATION_MONTHS
    ]


def language_choices() -> list[tuple[str, str]]:
    """The languages FlashStart sends e-mails and licence names in (`models.Language`)."""
    return list(Language.choices)


class PortalForm(forms.Form):
    """Django's form without the colon after labels and with clearer choice errors.

    Templates render fields through `includes/field.html`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = CHOOSE_LISTED
