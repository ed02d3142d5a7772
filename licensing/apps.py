from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("FlashStart licensing")

    def ready(self) -> None:
        from licensing import language, signals  # noqa: F401 - connect their login receivers
