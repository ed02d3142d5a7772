"""The audit list's (and exports') filters."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licensing import audit
from licensing.models import AuditAction, AuditOutcome


class AuditFilterForm(forms.Form):
    """The audit list's filters (also the export's): all optional, all in the query string."""

    date_from = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(
        required=False,
        max_length=150,
        label=gettext_lazy("Staff member"),
        widget=forms.TextInput(
            attrs={
                "class": "filter-text",
                "autocomplete": "off",
                "placeholder": gettext_lazy("username"),
            }
        ),
    )
    action = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Any action")), *AuditAction.choices],
        label=gettext_lazy("Action"),
    )
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Any outcome")), *AuditOutcome.choices],
        label=gettext_lazy("Outcome"),
    )
    customer = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        label=gettext_lazy("Customer code"),
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
            self.add_error("date_to", _("The end date is before the start date."))
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
