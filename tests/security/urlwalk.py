"""Every URL pattern the portal serves, with sample values for its converters.

The walkers in this package read the patterns from `get_resolver()` at test time, so a
page someone adds later is checked without anyone listing it. A pattern whose parameters
cannot be filled makes the walker fail, naming it: add a sample value here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
_ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


@dataclass(frozen=True)
class Url:
    route: str  # the pattern as written, prefixes included ("customers/<int:customer_code>/")
    path: str  # a concrete path that resolves to it ("/customers/1001/")
    name: str | None  # the URL name, namespaced ("admin:index")
    module: str  # the view's module, to tell admin pages from the portal's

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def __str__(self) -> str:
        return self.path


def patterns() -> list[tuple[str, str | None, URLPattern]]:
    """(route, namespaced name, pattern) for every leaf pattern, in resolution order."""
    found: list[tuple[str, str | None, URLPattern]] = []

    def walk(items, prefix: str, namespace: str) -> None:
        for item in items:
            if isinstance(item, URLResolver):
                space = f"{namespace}{item.namespace}:" if item.namespace else namespace
                walk(item.url_patterns, prefix + _text(item.pattern), space)
            elif isinstance(item, URLPattern):
                name = f"{namespace}{item.name}" if item.name else None
                found.append((prefix + _text(item.pattern), name, item))

    walk(get_resolver().url_patterns, "", "")
    return found


def _text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    if isinstance(pattern, RegexPattern):
        return "re:" + pattern._regex
    return str(pattern)


class Samples:
    """Values for URL parameters, from objects that exist in the test database."""

    def __init__(
        self, *, customer_code: int, assignment_pk: int, user_pk: int, approval_pk: int = 1
    ) -> None:
        self.customer_code = customer_code
        self.assignment_pk = assignment_pk
        self.user_pk = user_pk
        self.approval_pk = approval_pk

    def value(self, name: str, route: str) -> str:
        if name == "customer_code":
            return str(self.customer_code)
        if name == "pk":
            return str(self.approval_pk if route.startswith("approvals/") else self.assignment_pk)
        if name == "id":  # admin's user password page
            return str(self.user_pk)
        if name == "object_id":
            return self._admin_object(route)
        if name == "content_type_id":
            return str(ContentType.objects.get_for_model(get_user_model()).pk)
        if name == "app_label":
            return "licensing"
        if name == "url":  # the admin's catch-all
            return "no-such-page/"
        raise LookupError(f"no sample value for <{name}> in {route!r}: add one in urlwalk.py")

    def _admin_object(self, route: str) -> str:
        match = _ADMIN_MODEL.match(route)
        if route.startswith("admin/r/"):
            return str(self.user_pk)
        if not match:
            raise LookupError(f"no sample object for {route!r}")
        model = apps.get_model(match["app"], match["model"])
        first = model._default_manager.order_by("pk").first()
        return str(first.pk) if first is not None else "1"


def fill(route: str, samples: Samples) -> str:
    """A concrete path for `route` ("re:" prefix for regex parts)."""
    parts = route.split("re:")
    path = ""
    for index, part in enumerate(parts):
        if index == 0:
            path += _ROUTE_PARAM.sub(lambda m: samples.value(m["name"], route), part)
        else:
            # A regex part, possibly followed by more route text: fill named groups,
            # drop anchors.
            filled = _REGEX_GROUP.sub(lambda m: samples.value(m["name"], route), part)
            path += filled.replace("^", "").replace("\\Z", "").replace("$", "")
    return "/" + path


def urls(samples: Samples) -> list[Url]:
    """Every pattern as a concrete, resolving path (asserts that it resolves)."""
    result = []
    for route, name, pattern in patterns():
        path = fill(route, samples)
        match = resolve(path)
        assert match.func is not None, route
        module = getattr(pattern.callback, "__module__", "")
        result.append(Url(route=route, path=path, name=name, module=module))
    return result
