"""Forms for the catalogue, price confirmations (signed quotes), demos and approvals."""

import uuid
from decimal import Decimal

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licensing.forms.base import (
    QUOTE_MAX_AGE,
    QUOTE_SALT,
    PortalForm,
    _choices,
    duration_choices,
    language_choices,
)


class CatalogueFilterForm(PortalForm):
    """The catalogue's filters. Every value has a default, so an empty form is valid."""

    lang = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    version_code = forms.TypedChoiceField(
        label=gettext_lazy("Version"), required=False, coerce=int, empty_value=None
    )
    license_duration = forms.TypedChoiceField(
        label=gettext_lazy("Duration"), required=False, coerce=int, empty_value=None
    )
    currency_code = forms.ChoiceField(label=gettext_lazy("Currency"), required=False, initial="EUR")

    def __init__(self, *args, versions=(), currencies=(), default_lang="en", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_lang = default_lang
        self.fields["lang"].initial = default_lang
        self.fields["lang"].choices = language_choices()
        self.fields["version_code"].choices = [("", _("All versions")), *_choices(versions)]
        self.fields["license_duration"].choices = [("", _("Any duration")), *duration_choices()]
        self.fields["currency_code"].choices = _choices(currencies)

    def clean_lang(self):
        return self.cleaned_data["lang"] or self.default_lang

    def clean_currency_code(self):
        return self.cleaned_data["currency_code"] or "EUR"


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
        label=gettext_lazy("Label for this licence"),
        max_length=100,
        help_text=gettext_lazy(
            "Where or for whom it is used, e.g. “Headquarter” or “Secondary office”. "
            "Letters, numbers, dashes and spaces."
        ),
        widget=forms.TextInput(attrs={"aria-required": "true"}),
    )
    accept_notifications = forms.BooleanField(
        label=gettext_lazy("FlashStart e-mails the customer about this licence"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "FlashStart's notifications to the customer (its “accept notifications”)."
        ),
    )

    def clean_quote(self) -> dict:
        try:
            data = signing.loads(self.cleaned_data["quote"], salt=QUOTE_SALT, max_age=QUOTE_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _(
                    "This price was confirmed more than an hour ago and may have changed. "
                    "Check the fresh price below and confirm again."
                ),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                _(
                    "This confirmation could not be read. "
                    "Open the licence from the catalogue again."
                ),
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
        label=gettext_lazy("Note for the manager"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Optional: why this purchase is needed."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApprovalDecisionForm(PortalForm):
    """A manager's decision; a changed price comes back as `confirmed_amount`."""

    APPROVE, REJECT, RECOVER = "approve", "reject", "recover"

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (APPROVE, gettext_lazy("Approve")),
            (REJECT, gettext_lazy("Reject")),
            (RECOVER, gettext_lazy("Check the purchase")),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Needed to reject: the requester reads it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirmed_amount = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, widget=forms.HiddenInput
    )
    repeat_of = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why, in a few words (the requester reads it)."))
        return data


class DemoForm(PortalForm):
    token = forms.UUIDField(widget=forms.HiddenInput)
    lang = forms.ChoiceField(
        label=gettext_lazy("Customer's language"),
        help_text=gettext_lazy("FlashStart writes to the customer in this language."),
    )
    accept_notifications = forms.BooleanField(
        label=gettext_lazy("FlashStart e-mails the customer about this demo"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "FlashStart's notifications to the customer (its “accept notifications”)."
        ),
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
