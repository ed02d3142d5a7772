"""Forms: parse and check what a person typed, before a service sees it.

The services check the business rules again (and audit refusals); these forms only turn
request data into typed values and give field-by-field messages.
"""

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core import signing, validators
from django.utils.translation import gettext_lazy

from licensing import audit, selectors
from licensing import countries as country_list
from licensing.models import AuditAction, AuditOutcome, Language

CHOOSE_LISTED = "Choose one of the listed options."
DURATIONS = [(1, "1 month"), (12, "12 months"), (24, "24 months"), (36, "36 months")]
QUOTE_SALT = "licensing.assign.quote"
QUOTE_MAX_AGE = 60 * 60  # a confirmed price older than this is asked for again
PHONE_PATTERN = r"^[0-9 +()./-]{4,30}$"  # as services.customer_create checks it


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

    def clean_customer_code(self) -> int:
        # Said with the other fields' errors, not in a second round after them (the
        # service checks it again, and a code taken meanwhile is still refused there).
        code = self.cleaned_data["customer_code"]
        existing = selectors.customer_get(customer_code=code)
        if existing is not None:
            raise forms.ValidationError(
                f"Code {code} is already registered as “{existing.name}”.", code="registered"
            )
        return code


class CustomerCreateForm(PortalForm):
    """Create a new customer account at FlashStart. The password is never shown again."""

    mode = forms.CharField(widget=forms.HiddenInput, initial="create")
    customer_name = forms.CharField(label="First name or contact name", max_length=100)
    customer_surname = forms.CharField(label="Surname", max_length=100, required=False)
    company_name = forms.CharField(label="Company name", max_length=200, required=False)
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
    phone = forms.CharField(
        label="Phone",
        max_length=30,
        required=False,
        validators=[
            validators.RegexValidator(
                PHONE_PATTERN, "Enter a phone number with digits, spaces and + only."
            )
        ],
    )
    lang = forms.ChoiceField(label="Language", initial="en")
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, countries=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country_code"].choices = [("", "Choose a country")] + _choices(
            country_list.by_name(countries)
        )
        self.fields["industry_code"].choices = [("", "Choose an industry")] + _choices(industries)
        self.fields["lang"].choices = language_choices()
        self.industry_names = {str(item.value): str(item.label) for item in industries}
        # Said beside the label (includes/field_label.html) instead of "optional".
        self.fields["company_name"].required_when = "required unless the industry is “Family”"

    def clean(self):
        # The rules the service and FlashStart apply after the fields', checked here too so
        # that every mistake is reported in one round.
        data = super().clean()
        industry = self.industry_names.get(str(data.get("industry_code", "")), "")
        if industry and "family" not in industry.lower() and not data.get("company_name"):
            self.add_error(
                "company_name", "Enter the company name (only families may leave it empty)."
            )
        return data


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


def quote_data(license, customer_code: int | None = None) -> dict:
    """The parts of a vendor quote (an upstream.License) that the confirmation shows, and
    the customer it was asked for: the price is bound to that customer, code, currency
    and amount (the service refuses it for any other)."""
    return {
        "customer": customer_code,
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
    points = quote.get("points")
    data = {
        **quote,
        "points": None if points is None else str(points),
        "amount": str(quote["amount"]),
    }
    return signing.dumps(data, salt=QUOTE_SALT)


class AssignForm(PortalForm):
    """The confirmation of a paid licence: label, notification choice, one-time token and
    the signed quote; `repeat_of` confirms a second purchase of the same licence."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    quote = forms.CharField(widget=forms.HiddenInput)
    repeat_of = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    license_info = forms.CharField(
        label="Label for this licence",
        max_length=100,
        help_text="Where or for whom it is used, e.g. “Headquarter” or “Secondary office”. "
        "Letters, numbers, dashes and spaces.",
        widget=forms.TextInput(attrs={"aria-required": "true"}),
    )
    accept_notifications = forms.BooleanField(
        label="FlashStart e-mails the customer about this licence",
        required=False,
        initial=True,
        help_text="FlashStart's notifications to the customer (its “accept notifications”).",
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
        data["points"] = None if data.get("points") is None else Decimal(data["points"])
        data["amount"] = Decimal(data["amount"])
        return data

    @classmethod
    def fresh(cls, quote: dict) -> "AssignForm":
        """A new confirmation, with a new one-time token."""
        return cls(
            initial={
                "token": uuid.uuid4(),
                "quote": quote_sign(quote),
                "accept_notifications": True,
            }
        )

    @classmethod
    def retry(
        cls, quote: dict, license_info: str, accept_notifications: bool = True
    ) -> "AssignForm":
        """A bound confirmation with a new one-time token, to show errors on and try again."""
        data = {
            "token": str(uuid.uuid4()),
            "quote": quote_sign(quote),
            "license_info": license_info,
        }
        if accept_notifications:
            data["accept_notifications"] = "on"
        form = cls(data=data)
        form.is_valid()
        return form


class ApprovalRequestForm(AssignForm):
    """The confirmation of a purchase above the person's limit: sent to a manager."""

    note = forms.CharField(
        label="Note for the manager",
        required=False,
        max_length=2000,
        help_text="Optional: why this purchase is needed.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApprovalDecisionForm(PortalForm):
    """A manager's decision; a changed price comes back as `confirmed_amount`."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(choices=[(APPROVE, "Approve"), (REJECT, "Reject")])
    reason = forms.CharField(
        label="Reason for rejecting",
        required=False,
        max_length=2000,
        help_text="Needed to reject: the requester reads it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirmed_amount = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, widget=forms.HiddenInput
    )
    repeat_of = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why, in a few words (the requester reads it).")
        return data


class DemoForm(PortalForm):
    token = forms.UUIDField(widget=forms.HiddenInput)
    lang = forms.ChoiceField(
        label="Customer's language",
        help_text="FlashStart writes to the customer in this language.",
    )
    accept_notifications = forms.BooleanField(
        label="FlashStart e-mails the customer about this demo",
        required=False,
        initial=True,
        help_text="FlashStart's notifications to the customer (its “accept notifications”).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = language_choices()

    @classmethod
    def fresh(cls, lang: str) -> "DemoForm":
        return cls(initial={"token": uuid.uuid4(), "lang": lang, "accept_notifications": True})

    @classmethod
    def retry(cls, lang: str, accept_notifications: bool = True) -> "DemoForm":
        data = {"token": str(uuid.uuid4()), "lang": lang}
        if accept_notifications:
            data["accept_notifications"] = "on"
        form = cls(data=data)
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
    # ISO dates: a date input shows nothing for a value in any other format.
    start_date = forms.DateField(
        label="Start date",
        required=False,
        help_text="As shown at FlashStart.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expiry_date = forms.DateField(
        label="Expiry date",
        required=False,
        help_text="As shown at FlashStart.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    amount = forms.DecimalField(
        label="Amount deducted",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="What FlashStart took from the credit, so that reports count it.",
    )
    currency = forms.CharField(
        label="Currency",
        required=False,
        max_length=3,
        help_text="Of the amount, e.g. EUR.",
        widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off"}),
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


# --- renewals of several licences ------------------------------------------------------


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
