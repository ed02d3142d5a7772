"""Forms for renewal changes (one licence or several) and for resolving unknown outcomes."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licensing.forms.base import PortalForm


class SuspendForm(PortalForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        help_text=gettext_lazy("Why renewal stops, in a few words. It is kept in the audit trail."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RenewalRecordForm(PortalForm):
    """A manager records the renewal state FlashStart's customer area shows (no call)."""

    renewal = forms.ChoiceField(
        label=gettext_lazy("What FlashStart shows"),
        widget=forms.RadioSelect,
        choices=[
            ("on", gettext_lazy("Renewal on: the licence renews at its expiry")),
            ("suspended", gettext_lazy("Renewal suspended: the licence stops at its expiry")),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("Where you checked"),
        max_length=500,
        help_text=gettext_lazy(
            "For the audit trail, e.g. “FlashStart customer area, licence page, 14:05”."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResumeForm(PortalForm):
    """Nothing to type: the confirmation button is the whole form."""


class ResolveForm(PortalForm):
    ASSIGNED, FAILED = "assigned", "failed"

    outcome = forms.ChoiceField(
        label=gettext_lazy("What FlashStart confirmed"),
        widget=forms.RadioSelect,
        choices=[
            (ASSIGNED, gettext_lazy("The licence was assigned (enter its licence id)")),
            (FAILED, gettext_lazy("Nothing was assigned — mark as failed")),
        ],
    )
    license_id = forms.CharField(
        label=gettext_lazy("FlashStart licence id"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "As shown in the FlashStart customer area. Needed when it was assigned."
        ),
    )
    # ISO dates: a date input shows nothing for a value in any other format.
    start_date = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        help_text=gettext_lazy("As shown at FlashStart."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expiry_date = forms.DateField(
        label=gettext_lazy("Expiry date"),
        required=False,
        help_text=gettext_lazy("As shown at FlashStart."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount deducted"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("What FlashStart took from the credit, so that reports count it."),
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency"),
        required=False,
        max_length=3,
        help_text=gettext_lazy("Of the amount, e.g. EUR."),
        widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=gettext_lazy("How you checked"),
        max_length=2000,
        help_text=gettext_lazy(
            "For example who at FlashStart confirmed it. Kept in the audit trail."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == self.ASSIGNED and not data.get("license_id"):
            self.add_error("license_id", _("Enter the licence id shown in FlashStart."))
        return data

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    @classmethod
    def prefilled(cls, assignment, data=None) -> "ResolveForm":
        """The form for `assignment`, filled in with what FlashStart answered, when its
        answer was kept (a settle that failed after the vendor said yes)."""
        answer = assignment.vendor_answer
        initial = {"currency": assignment.currency}
        if answer is not None and answer.license_id:
            initial.update(
                outcome=cls.ASSIGNED,
                license_id=answer.license_id,
                start_date=_date_or_none(answer.start_date),
                expiry_date=_date_or_none(answer.expiry_date),
                amount=_amount_or_none(answer.amount),
                currency=(answer.currency or assignment.currency or "")[:3].upper(),
            )
        return cls(data, initial=initial)


def _date_or_none(text: str):
    try:
        return date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def _amount_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().replace(",", ".")) if text else None
    except (InvalidOperation, ValueError):
        return None


class BulkRenewalForm(PortalForm):
    """Suspend or resume renewal for the licences ticked on the customer page (their
    checkboxes are named `assignment`); the service checks the selection itself."""

    action = forms.ChoiceField(
        label=gettext_lazy("Change"),
        widget=forms.RadioSelect,
        choices=[
            ("suspend", gettext_lazy("Suspend renewal")),
            ("resume", gettext_lazy("Resume renewal")),
        ],
        initial="suspend",
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (for suspending)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "One reason for all the selected licences, kept in the audit trail."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    assignment = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def clean_assignment(self) -> list[int]:
        values = self.cleaned_data.get("assignment") or []
        if isinstance(values, str):
            values = [values]
        try:
            ids = [int(value) for value in values]
        except (TypeError, ValueError):
            ids = [0]
        if any(pk <= 0 or pk > 2**63 - 1 for pk in ids):
            raise forms.ValidationError(
                gettext_lazy("The selection was not understood: reload the page and select again.")
            )
        return ids
