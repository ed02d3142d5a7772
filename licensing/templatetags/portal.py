"""Formatting used on every page: money, dates, points, badges and the current nav item.

One place decides how money and dates look, so that they look the same everywhere.
"""

import json
from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from licensing import formatting, texts
from licensing.audit import words
from licensing.models import AssignmentKind, AssignmentStatus, Renewal

register = template.Library()

money = register.simple_tag(formatting.money, name="money")
day = register.filter("day", formatting.day)


@register.filter
def points(value) -> str:
    """Licence points without trailing zeros, with the active language's decimal mark:
    0.5, 1, 2.5 (0,5 and 2,5 in Italian)."""
    number = formatting.decimal_or_none(value)
    if number is None:
        return formatting.EMPTY
    return formats.number_format(number.normalize(), use_l10n=True)


moment = register.filter("moment", formatting.moment)
# A text kept in English (an assignment's failure message) in the reader's language.
kept = register.filter("kept", texts.translated)


@register.filter
def iso(value) -> str:
    """Machine-readable value for a <time datetime="..."> attribute."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat()


@register.simple_tag
def timezone_name() -> str:
    return timezone.get_current_timezone_name()


_BADGES = {
    AssignmentStatus.ACTIVE: (pgettext_lazy("licence status", "Active"), "success"),
    AssignmentStatus.PENDING: (pgettext_lazy("licence status", "Pending"), "neutral"),
    AssignmentStatus.FAILED: (pgettext_lazy("licence status", "Failed"), "danger"),
    AssignmentStatus.UNKNOWN: (pgettext_lazy("licence status", "Outcome unknown"), "warning"),
}
_DEMO = pgettext_lazy("licence kind", "Demo")
_UNKNOWN_TITLE = gettext_lazy("Do not assign again — a manager will check")
_SUSPENDED = gettext_lazy("Renewal suspended")
_EXPIRES_SOON = gettext_lazy("Expires soon")
_EXPIRES_SOON_TITLE = gettext_lazy("It will not renew by itself")


def _badge(label, tone: str, title=""):
    if title:
        return format_html('<span class="badge badge-{}" title="{}">{}</span>', tone, title, label)
    return format_html('<span class="badge badge-{}">{}</span>', tone, label)


@register.simple_tag
def status_badges(assignment) -> str:
    """The badges that say, in words, where an assignment stands."""
    parts = []
    if assignment.kind == AssignmentKind.DEMO:
        parts.append(_badge(_DEMO, "info"))
    label, tone = _BADGES.get(assignment.status, (assignment.get_status_display(), "neutral"))
    title = ""
    if assignment.status == AssignmentStatus.UNKNOWN:
        title = _UNKNOWN_TITLE
    parts.append(_badge(label, tone, title))
    if assignment.status == AssignmentStatus.ACTIVE and assignment.renewal == Renewal.SUSPENDED:
        parts.append(_badge(_SUSPENDED, "muted"))
    if expires_soon(assignment):
        parts.append(_badge(_EXPIRES_SOON, "warning", _EXPIRES_SOON_TITLE))
    return format_html_join(" ", "{}", ((part,) for part in parts))


def expires_soon(assignment) -> bool:
    """Within 30 days of its end and not renewing by itself: a demo, or a paid licence
    whose renewal is suspended. A licence that renews (monthly ones too) does not end."""
    will_not_renew = assignment.kind == AssignmentKind.DEMO or (
        assignment.renewal == Renewal.SUSPENDED
    )
    return will_not_renew and assignment.expires_soon


@register.simple_tag
def event_badge(event) -> str:
    """How an audit row ended, in words, as it was then (not the assignment's state now)."""
    return _badge(
        words.outcome_words(event.action, event.outcome), words.outcome_tone(event.outcome)
    )


@register.filter
def audit_action(event) -> str:
    """What an audit row's person attempted, in words."""
    return words.action_words(event.action)


@register.filter
def audit_message(message: str) -> str:
    """A stored audit message with field labels instead of field names."""
    return words.readable_message(message or "")


@register.filter
def pretty_json(text: str) -> str:
    """JSON indented for reading (anything else as it is)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return text


@register.simple_tag(takes_context=True)
def nav_current(context, prefix: str) -> str:
    """`aria-current="page"` when the current path is under `prefix`."""
    request = context.get("request")
    path = getattr(request, "path", "") or ""
    if path.startswith(prefix):
        return format_html('{}="{}"', "aria-current", "page")
    return ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None or "" removes them)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is None:
        return ""
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def duration_words(value) -> str:
    """A timedelta as “15 minutes” or “2 hours”, in the active language."""
    try:
        minutes = round(value.total_seconds() / 60)
    except AttributeError:
        return str(value)
    if minutes < 60 or minutes % 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours = minutes // 60
    return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def any_required(form) -> bool:
    """Whether a form has a visible field that must be filled in (to explain the mark)."""
    return any(field.field.required for field in form.visible_fields())
