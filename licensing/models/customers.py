"""Customers (keyed by the vendor's customer code) and each user's profile."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing import roles
from licensing.models.naming import name_fields, name_model


class Language(models.TextChoices):
    """The languages FlashStart writes to a customer in, each named in itself (as the
    language switcher names the portal's own): not translated."""

    EN = "en", "English"
    IT = "it", "Italiano"
    ES = "es", "Español"
    DE = "de", "Deutsch"


class Customer(models.Model):
    """A customer of the reseller, known at the vendor by `customer_code`."""

    customer_code = models.PositiveBigIntegerField(
        unique=True, help_text=_("The customer's code in the FlashStart customer area.")
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The salesperson responsible: who registered it, until a manager hands it over.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
        limit_choices_to=Q(is_superuser=True) | Q(groups__name__in=(roles.SALES, roles.MANAGERS)),
        help_text=_("The salesperson responsible: reminders about this customer go to them."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "customer_code"]
        indexes = [models.Index(fields=["name", "customer_code"], name="customer_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_code})"

    @property
    def approvals_shown(self) -> list:
        """Its purchases awaiting approval, and those decided in the last week (newest first,
        at most 10): its page shows them."""
        since = timezone.now() - timedelta(days=7)
        return list(
            self.approvals.filter(Q(status="pending") | Q(decided_at__gte=since))
            .select_related("customer", "requested_by", "decided_by")
            .order_by("-created_at", "-id")[:10]
        )


name_model(Customer, _("customer"), _("customers"))
name_fields(
    Customer,
    customer_code=_("customer code"),
    name=_("name"),
    language=_("language"),
    notes=_("notes"),
    created_by=_("created by"),
    owner=_("owner"),
    created_at=_("created at"),
    updated_at=_("updated at"),
)


class Profile(models.Model):
    """A person's preferences, created the first time one is saved (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_profile"
    )
    reminders_opt_out = models.BooleanField(
        default=False, help_text="No reminder or digest e-mails for this person."
    )
    # A code from settings.LANGUAGES ("en-gb", "it"); empty: the browser's language. It is
    # also the language of the e-mails the portal sends to this person.
    language = models.CharField(max_length=8, blank=True, default="")
    # One purchase at a time per person while a daily limit applies: the check of the
    # day's total and the recording of the purchase happen under this short lease (taken
    # with a conditional update, never a transaction held across the vendor's price call).
    purchase_turn = models.UUIDField(null=True, blank=True, editable=False)
    purchase_turn_until = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.user_id}"
