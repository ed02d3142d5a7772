"""The audit list's (and exports') filters."""

from django import forms

from licensing import audit
from licensing.models import AuditAction, AuditOutcome


class AuditFilterForm(forms.Form):
    """The audit list's filters (also the export's): all optional, all in the query string."""

    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(
        required=False,
        max_length=150,
        label="Staff member",
        widget=forms.TextInput(
            attrs={"class": "filter-text", "autocomplete": "off", "placeholder": "username"}
        ),
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AuditAction.choices], label="Action"
    )
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditOutcome.choices], label="Outcome"
    )
    customer = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        label="Customer code",
        widget=forms.TextInput(
            attrs={"class": "filter-text", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> audit.AuditFilters:
        """The cleaned filters (call after is_valid())."""
        data = self.cleaned_data
        return audit.AuditFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            customer=data.get("customer"),
        )
