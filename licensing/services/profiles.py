"""Each person's profile: their own preferences (whether reminders are e-mailed, language).

A profile row is created the first time a preference is saved; until then the model's
defaults apply, so nobody needs a row to be reminded.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy

from licensing import audit, language, texts
from licensing.models import AuditAction, AuditOutcome, Profile
from licensing.services import access


def profile_get(*, user) -> Profile:
    """The person's profile: the saved one, or an unsaved one with the defaults."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def profile_update(*, meta: audit.RequestMeta, reminders_opt_out: bool) -> Profile:
    """Save the signed-in person's own preferences, with an audit row when they change.

    Raises PermissionRefused (audited) for anyone who is not staff.
    """
    action = AuditAction.PROFILE_UPDATE
    access.require_sales(meta=meta, what=gettext_lazy("change a profile"), action=action)
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=meta.user)
        if profile.reminders_opt_out != reminders_opt_out:
            profile.reminders_opt_out = reminders_opt_out
            profile.save(update_fields=["reminders_opt_out", "updated_at"])
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                message=texts.english(
                    gettext_lazy("Reminder e-mails turned off.")
                    if reminders_opt_out
                    else gettext_lazy("Reminder e-mails turned on.")
                ),
            )
    return profile


def profile_language_set(*, meta: audit.RequestMeta, code: str) -> Profile:
    """Save the signed-in person's language ("" = follow the browser), audited on change.

    `code` must be "" or one of settings.LANGUAGES (the caller checks; anything else is
    stored as ""). Raises PermissionRefused (audited) for anyone who is not staff.
    """
    action = AuditAction.PROFILE_UPDATE
    access.require_sales(meta=meta, what=gettext_lazy("change a profile"), action=action)
    code = language.supported(code)
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=meta.user)
        if profile.language != code:
            profile.language = code
            profile.save(update_fields=["language", "updated_at"])
            audit.record(
                meta=meta,
                action=action,
                outcome=AuditOutcome.SUCCESS,
                message=texts.english(
                    texts.message(gettext_lazy("Language set to %(language)s."), language=code)
                    if code
                    else gettext_lazy("Language follows the browser.")
                ),
            )
    return profile


def opted_out(user_ids: Iterable[int]) -> set[int]:
    """Which of these people have turned reminder e-mails off (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        Profile.objects.filter(user_id__in=ids, reminders_opt_out=True).values_list(
            "user_id", flat=True
        )
    )
