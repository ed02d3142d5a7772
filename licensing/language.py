"""Which language a person sees: their profile's choice, else the browser's.

Django's LocaleMiddleware picks the language from the language cookie (set by the header
switcher) or the browser's Accept-Language. A signed-in person who chose a language on
their profile gets it on every device: the choice is copied into the session when they sign
in (so reading it costs no query), and the middleware below activates it.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

SESSION_KEY = "portal_language"
# The vendor's API speaks en, it, es and de; everything else asks for English.
VENDOR_LANGUAGES = ("en", "it", "es", "de")


def supported(code: str | None) -> str:
    """`code` when the portal speaks it (one of settings.LANGUAGES), else ""."""
    codes = {code for code, _name in settings.LANGUAGES}
    return code if code in codes else ""


def vendor_lang(code: str | None = None) -> str:
    """The API's `lang` for a portal language (the active one by default): its own code
    when FlashStart speaks it (en, it, es, de), else "en"."""
    base = (code or translation.get_language() or "").split("-")[0].lower()
    return base if base in VENDOR_LANGUAGES else "en"


def of_user(user) -> str:
    """The language to write to this person in (e-mails): their profile's, else the default."""
    # No profile row yet: Django's missing-related error is an AttributeError, so None.
    profile = getattr(user, "portal_profile", None)
    chosen = supported(profile.language) if profile is not None else ""
    return chosen or settings.LANGUAGE_CODE


def remember(request, code: str) -> None:
    """Use `code` for this session from now on ("" = the browser's again)."""
    if code:
        request.session[SESSION_KEY] = code
    else:
        request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="portal-language-on-login")
def _on_login(sender, request, user, **kwargs) -> None:
    from licensing.models import Profile

    if request is None or not hasattr(request, "session"):
        return
    code = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    remember(request, supported(code))


class ProfileLanguageMiddleware:
    """After authentication: a signed-in person's saved language overrides the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and user.is_authenticated:
            code = supported(session.get(SESSION_KEY))
            if code:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)
