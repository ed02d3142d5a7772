"""Forms for the managers' pages: audit filters and the admin actions that need input."""

from django import forms

from licensing.audit_selectors import AuditFilters
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

    def filters(self) -> AuditFilters:
        """The cleaned filters (call after is_valid())."""
        data = self.cleaned_data
        return AuditFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            customer=data.get("customer"),
        )


class RenewalSuspendForm(forms.Form):
    reason = forms.CharField(
        label="Why is renewal being suspended?",
        min_length=3,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit trail with each licence.",
    )


class AssignmentResolveForm(forms.Form):
    OUTCOMES = [
        ("assigned", "FlashStart did assign it — enter the licence id"),
        ("failed", "FlashStart did not assign it — mark as failed"),
    ]
    result = forms.ChoiceField(choices=OUTCOMES, widget=forms.RadioSelect, label="Outcome")
    license_id = forms.CharField(
        required=False,
        max_length=64,
        label="Licence id at FlashStart",
        help_text="As shown in the FlashStart customer area.",
    )
    note = forms.CharField(
        label="How did you check?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example who at FlashStart confirmed it.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == "assigned" and not cleaned.get("license_id", "").strip():
            self.add_error("license_id", "Enter the licence id FlashStart shows.")
        return cleaned
