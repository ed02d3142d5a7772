"""Words Django's own admin templates show that Django's Italian catalogue does not have yet.

Django 5.2's index and app lists label their columns for screen readers ("Model name",
"Add link", "Change or view list link"), and its catalogues have no Italian for them. Marked
here with gettext_noop so `makemessages` keeps them in the portal's catalogue, whose
translations come first (LOCALE_PATHS), and a screen reader reads Italian too.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_WORDS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
