from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "FlashStart licensing"

    def ready(self) -> None:
        from licensing import signals  # noqa: F401 - connects the login audit receivers
