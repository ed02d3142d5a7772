"""Forms: parse and check what a person typed, before a service sees it.

The services check the business rules again (and audit refusals); these forms only turn
request data into typed values and give field-by-field messages.
"""

import uuid
from decimal import Decimal

from django import forms
from django.core import signing

from licensing import audit
from licensing.models import AuditAction, AuditOutcome, Language

CHOOSE_LISTED = "Choose one of the listed options."
DURATIONS = [(1, "1 month"), (12, "12 months"), (24, "24 months"), (36, "36 months")]
QUOTE_SALT = "licensing.assign.quote"
QUOTE_MAX_AGE = 60 * 60  # a confirmed price older than this is asked for again


def _choices(items) -> list[tuple[str, str]]:
    return [(item.value, item.label) for item in items]


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


# --- customers ------------------------------------------------------------------------


class CustomerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search customers")


class CustomerLinkForm(PortalForm):
    """Link a customer who already exists at FlashStart, by the code FlashStart gave it."""

    mode = forms.CharField(widget=forms.HiddenInput, initial="link")
    customer_code = forms.IntegerField(
        label="FlashStart customer code",
        min_value=1,
        max_value=10**15,
        help_text="The number shown in the FlashStart customer area.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label="Customer name", max_length=200)
    email = forms.EmailField(label="E-mail", required=False)
    language = forms.ChoiceField(label="Language", choices=Language.choices, initial="en")
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CustomerCreateForm(PortalForm):
    """Create a new customer account at FlashStart. The password is never shown again."""

    mode = forms.CharField(widget=forms.HiddenInput, initial="create")
    customer_name = forms.CharField(label="First name or contact name", max_length=100)
    customer_surname = forms.CharField(label="Surname", max_length=100, required=False)
    company_name = forms.CharField(
        label="Company name",
        max_length=200,
        required=False,
        help_text="Required unless the industry is “Family”.",
    )
    email = forms.EmailField(
        label="E-mail", help_text="The customer logs in to FlashStart with it."
    )
    password = forms.CharField(
        label="Password",
        min_length=8,
        max_length=128,
        strip=False,
        help_text="For the customer's FlashStart account: at least 8 characters. "
        "It goes to FlashStart only; the portal keeps no copy.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    country_code = forms.ChoiceField(label="Country")
    industry_code = forms.ChoiceField(label="Industry")
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    lang = forms.ChoiceField(label="Language", initial="en")
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, countries=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country_code"].choices = [("", "Choose a country")] + _choices(countries)
        self.fields["industry_code"].choices = [("", "Choose an industry")] + _choices(industries)
        self.fields["lang"].choices = language_choices()


# --- catalogue ------------------------------------------------------------------------


class CatalogueFilterForm(PortalForm):
    """The catalogue's filters. Every value has a default, so an empty form is valid."""

    lang = forms.ChoiceField(label="Language", required=False)
    version_code = forms.TypedChoiceField(
        label="Version", required=False, coerce=int, empty_value=None
    )
    license_duration = forms.TypedChoiceField(
        label="Duration", required=False, coerce=int, empty_value=None
    )
    currency_code = forms.ChoiceField(label="Currency", required=False, initial="EUR")

    def __init__(self, *args, versions=(), currencies=(), default_lang="en", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_lang = default_lang
        self.fields["lang"].initial = default_lang
        self.fields["lang"].choices = language_choices()
        self.fields["version_code"].choices = [("", "All versions")] + _choices(versions)
        self.fields["license_duration"].choices = [("", "Any duration")] + DURATIONS
        self.fields["currency_code"].choices = _choices(currencies)

    def clean_lang(self):
        return self.cleaned_data["lang"] or self.default_lang

    def clean_currency_code(self):
        return self.cleaned_data["currency_code"] or "EUR"


# --- assigning ------------------------------------------------------------------------


def quote_data(license) -> dict:
    """The parts of a vendor quote (an upstream.License) that the confirmation shows."""
    return {
        "code": license.code,
        "name": license.name,
        "months": license.duration_months,
        "quantity": license.quantity,
        "points": license.points,
        "amount": license.amount,
        "currency": license.currency,
    }


def quote_sign(quote: dict) -> str:
    """A tamper-proof copy of the price the salesperson saw and confirmed."""
    data = {**quote, "points": str(quote["points"]), "amount": str(quote["amount"])}
    return signing.dumps(data, salt=QUOTE_SALT)


class AssignForm(PortalForm):
    """The confirmation of a paid licence: label, one-time token and the signed quote."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    quote = forms.CharField(widget=forms.HiddenInput)
    license_info = forms.CharField(
        label="Label for this licence",
        max_length=100,
        help_text="Where or for whom it is used, e.g. “Headquarter” or “Secondary office”. "
        "Letters, numbers, dashes and spaces.",
    )

    def clean_quote(self) -> dict:
        try:
            data = signing.loads(self.cleaned_data["quote"], salt=QUOTE_SALT, max_age=QUOTE_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                "This price was confirmed more than an hour ago and may have changed. "
                "Check the fresh price below and confirm again.",
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                "This confirmation could not be read. Open the licence from the catalogue again.",
                code="bad",
            ) from None
        data["points"] = Decimal(data["points"])
        data["amount"] = Decimal(data["amount"])
        return data

    @classmethod
    def fresh(cls, quote: dict) -> "AssignForm":
        """A new confirmation, with a new one-time token."""
        return cls(initial={"token": uuid.uuid4(), "quote": quote_sign(quote)})

    @classmethod
    def retry(cls, quote: dict, license_info: str) -> "AssignForm":
        """A bound confirmation with a new one-time token, to show errors on and try again."""
        form = cls(
            data={
                "token": str(uuid.uuid4()),
                "quote": quote_sign(quote),
                "license_info": license_info,
            }
        )
        form.is_valid()
        return form


class DemoForm(PortalForm):
    token = forms.UUIDField(widget=forms.HiddenInput)
    lang = forms.ChoiceField(
        label="Customer's language",
        help_text="FlashStart writes to the customer in this language.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = language_choices()

    @classmethod
    def fresh(cls, lang: str) -> "DemoForm":
        return cls(initial={"token": uuid.uuid4(), "lang": lang})

    @classmethod
    def retry(cls, lang: str) -> "DemoForm":
        form = cls(data={"token": str(uuid.uuid4()), "lang": lang})
        form.is_valid()
        return form


# --- renewals and resolutions ---------------------------------------------------------


class SuspendForm(PortalForm):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="Why renewal stops, in a few words. It is kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResumeForm(PortalForm):
    """Nothing to type: the confirmation button is the whole form."""


class ResolveForm(PortalForm):
    ASSIGNED, FAILED = "assigned", "failed"

    outcome = forms.ChoiceField(
        label="What FlashStart confirmed",
        widget=forms.RadioSelect,
        choices=[
            (ASSIGNED, "The licence was assigned (enter its licence id)"),
            (FAILED, "Nothing was assigned — mark as failed"),
        ],
    )
    license_id = forms.CharField(
        label="FlashStart licence id",
        max_length=64,
        required=False,
        help_text="As shown in the FlashStart customer area. Needed when it was assigned.",
    )
    expiry_date = forms.DateField(
        label="Expiry date",
        required=False,
        help_text="Optional, as shown at FlashStart.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="How you checked",
        max_length=2000,
        help_text="For example who at FlashStart confirmed it. Kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == self.ASSIGNED and not data.get("license_id"):
            self.add_error("license_id", "Enter the licence id shown in FlashStart.")
        return data


# --- managers: audit filters ----------------------------------------------------------


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
