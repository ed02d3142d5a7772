"""Rendering a full page or, for htmx, only the region it asked for."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

MESSAGE_LEVELS = {
    "success": messages.SUCCESS,
    "error": messages.ERROR,
    "warning": messages.WARNING,
}


def wants_fragment(request) -> bool:
    """An htmx request for a part of a page (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def page(request, template: str, context: dict, *, fragment: str | None = None, status=200):
    """The full page, or its named partial `template#fragment` for an htmx request.

    A fragment also carries any pending messages, swapped out of band into the page's
    message area.
    """
    if fragment and wants_fragment(request):
        html = render_to_string(f"{template}#{fragment}", context, request=request)
        response = render_html(request, html, status=status)
    else:
        response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_html(request, html: str, *, status=200):
    """Response with `html` plus pending messages swapped out of band."""
    html += render_to_string("includes/messages.html", {"oob": True}, request=request)
    return HttpResponse(html, status=status)


def add_outcome_message(request, outcome) -> None:
    messages.add_message(request, MESSAGE_LEVELS.get(outcome.level, messages.INFO), outcome.message)


def add_errors(form, errors: dict[str, list[str]]) -> None:
    """Put a service's (or the vendor's) errors next to the fields they concern."""
    for field, field_messages in errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            if target is None and field != "__all__":
                message = f"{field.replace('_', ' ').capitalize()}: {message}"
            form.add_error(target, message)
