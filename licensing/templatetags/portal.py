"""Formatting used on every page: money, dates, points, badges and the current nav item.

One place decides how money and dates look, so that they look the same everywhere.
"""

import json
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from licensing import formatting
from licensing.audit import words
from licensing.models import AssignmentKind, AssignmentStatus, Renewal

register = template.Library()

money = register.simple_tag(formatting.money, name="money")
day = register.filter("day", formatting.day)


@register.filter
def points(value) -> str:
    """Licence points without trailing zeros: 0.5, 1, 2.5."""
    number = formatting.decimal_or_none(value)
    if number is None:
        return formatting.EMPTY
    return f"{number.normalize():f}"


moment = register.filter("moment", formatting.moment)


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
    AssignmentStatus.ACTIVE: ("Active", "success"),
    AssignmentStatus.PENDING: ("Pending", "neutral"),
    AssignmentStatus.FAILED: ("Failed", "danger"),
    AssignmentStatus.UNKNOWN: ("Outcome unknown", "warning"),
}


def _badge(label: str, tone: str, title: str = ""):
    if title:
        return format_html('<span class="badge badge-{}" title="{}">{}</span>', tone, title, label)
    return format_html('<span class="badge badge-{}">{}</span>', tone, label)


@register.simple_tag
def status_badges(assignment) -> str:
    """The badges that say, in words, where an assignment stands."""
    parts = []
    if assignment.kind == AssignmentKind.DEMO:
        parts.append(_badge("Demo", "info"))
    label, tone = _BADGES.get(assignment.status, (assignment.get_status_display(), "neutral"))
    title = ""
    if assignment.status == AssignmentStatus.UNKNOWN:
        title = "Do not assign again — a manager will check"
    parts.append(_badge(label, tone, title))
    if assignment.status == AssignmentStatus.ACTIVE and assignment.renewal == Renewal.SUSPENDED:
        parts.append(_badge("Renewal suspended", "muted"))
    if expires_soon(assignment):
        parts.append(_badge("Expires soon", "warning", "It will not renew by itself"))
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
    """A timedelta as “15 minutes” or “2 hours”."""
    try:
        minutes = round(value.total_seconds() / 60)
    except AttributeError:
        return str(value)
    if minutes < 60 or minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


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
