"""Forms for finding and registering customers."""

from django import forms
from django.core import validators
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from licensing import countries as country_list
from licensing import selectors
from licensing.forms.base import PHONE_PATTERN, PortalForm, _choices, language_choices
from licensing.models import Language


class CustomerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Search customers"))


class CustomerLinkForm(PortalForm):
    """Link a customer who already exists at FlashStart, by the code FlashStart gave it."""

    mode = forms.CharField(widget=forms.HiddenInput, initial="link")
    customer_code = forms.IntegerField(
        label=gettext_lazy("FlashStart customer code"),
        min_value=1,
        max_value=10**15,
        help_text=gettext_lazy("The number shown in the FlashStart customer area."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=gettext_lazy("Customer name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=Language.choices, initial="en"
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_customer_code(self) -> int:
        # Said with the other fields' errors, not in a second round after them (the
        # service checks it again, and a code taken meanwhile is still refused there).
        code = self.cleaned_data["customer_code"]
        existing = selectors.customer_get(customer_code=code)
        if existing is not None:
            raise forms.ValidationError(
                _("Code %(code)s is already registered as “%(name)s”.")
                % {"code": code, "name": existing.name},
                code="registered",
            )
        return code


class CustomerCreateForm(PortalForm):
    """Create a new customer account at FlashStart. The password is never shown again."""

    mode = forms.CharField(widget=forms.HiddenInput, initial="create")
    customer_name = forms.CharField(
        label=gettext_lazy("First name or contact name"), max_length=100
    )
    customer_surname = forms.CharField(
        label=gettext_lazy("Surname"), max_length=100, required=False
    )
    company_name = forms.CharField(
        label=gettext_lazy("Company name"), max_length=200, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("The customer logs in to FlashStart with it."),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        min_length=8,
        max_length=128,
        strip=False,
        help_text=gettext_lazy(
            "For the customer's FlashStart account: at least 8 characters. "
            "It goes to FlashStart only; the portal keeps no copy."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    country_code = forms.ChoiceField(label=gettext_lazy("Country"))
    industry_code = forms.ChoiceField(label=gettext_lazy("Industry"))
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=30,
        required=False,
        validators=[
            validators.RegexValidator(
                PHONE_PATTERN,
                gettext_lazy("Enter a phone number with digits, spaces and + only."),
            )
        ],
    )
    lang = forms.ChoiceField(label=gettext_lazy("Language"), initial="en")
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, countries=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country_code"].choices = [
            ("", _("Choose a country")),
            *country_list.choices(countries),
        ]
        self.fields["industry_code"].choices = [
            ("", _("Choose an industry")),
            *_choices(industries),
        ]
        self.fields["lang"].choices = language_choices()
        self.industry_names = {str(item.value): str(item.label) for item in industries}
        # Said beside the label (includes/field_label.html) instead of "optional".
        self.fields["company_name"].required_when = _("required unless the industry is “Family”")

    def clean(self):
        # The rules the service and FlashStart apply after the fields', checked here too so
        # that every mistake is reported in one round.
        data = super().clean()
        industry = self.industry_names.get(str(data.get("industry_code", "")), "")
        if industry and "family" not in industry.lower() and not data.get("company_name"):
            self.add_error(
                "company_name", _("Enter the company name (only families may leave it empty).")
            )
        return data
