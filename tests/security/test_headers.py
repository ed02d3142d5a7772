"""Every response carries a strict Content-Security-Policy (no inline or eval'd script),
nosniff, a Referrer-Policy and frame denial; pages contain no inline script to need more."""

import re

import pytest
from django.test import Client

SAFE_REFERRER_POLICIES = {
    "same-origin",
    "no-referrer",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    assert header, "no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_hardened(response) -> None:
    directives = policy(response)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, "no script-src or default-src"
    for weak in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert weak not in scripts, f"script-src allows {weak}"
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("base-uri") in (["'self'"], ["'none'"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in SAFE_REFERRER_POLICIES
    if response.get("Content-Type", "").startswith("text/html"):
        assert response["X-Frame-Options"] == "DENY"


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ["anonymous", "sales", "superuser"])
def test_every_page_is_served_with_the_security_headers(url, role, client_for):
    response = client_for(role, raise_request_exception=False).get(url.path)

    assert_hardened(response)
    if response.get("Content-Type", "").startswith("text/html"):
        page = body(response)
        assert not INLINE_SCRIPT.search(page), f"inline <script> on {url.path}"
        assert not EVENT_HANDLER.search(page), f"inline event handler on {url.path}"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/no-such-page/", 404), ("/customers/999999/", 404), ("/healthz", 200)],
)
def test_error_pages_and_health_carry_the_headers_too(world, client_for, path, status):
    response = client_for("sales").get(path)

    assert response.status_code == status
    assert_hardened(response)


def test_refusals_and_csrf_failures_carry_the_headers(world, client_for):
    refused = client_for("nogroup").get("/customers/")
    forged = client_for("sales", enforce_csrf_checks=True).post("/customers/new/", {})
    not_allowed = client_for("sales").post("/healthz")

    for response, status in ((refused, 403), (forged, 403), (not_allowed, 405)):
        assert response.status_code == status
        assert_hardened(response)


def test_session_and_csrf_cookies_are_not_readable_cross_site(world):
    client = Client()
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", {"username": "walker-sales", "password": "Walker-Pw-4d1e9c7b"}
    )

    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"].lower() in ("lax", "strict")
    assert client.cookies["csrftoken"]["samesite"].lower() in ("lax", "strict")


def cache_directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("role", ["nogroup", "sales", "superuser"])
def test_every_answer_to_a_signed_in_user_is_private_and_not_stored(url, role, client_for):
    response = client_for(role, raise_request_exception=False).get(url.path)

    assert {"private", "no-store"} <= cache_directives(response), (
        f"{role} GET {url.path}: Cache-Control {response.get('Cache-Control')!r}"
    )
    assert "public" not in cache_directives(response)


def test_fragments_refusals_and_downloads_are_not_stored_either(world, client_for):
    sales, manager = client_for("sales"), client_for("superuser")
    answers = [
        sales.get("/customers/?q=rossi", HTTP_HX_REQUEST="true"),
        client_for("nogroup").get("/customers/"),
        sales.get("/customers/999999/"),
        manager.get("/audit/export.csv"),
    ]

    for response in answers:
        assert {"private", "no-store"} <= cache_directives(response), response.status_code


def test_only_answers_to_a_signed_in_user_are_marked(rf, django_user_model):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from portal.middleware import SecurityHeadersMiddleware

    def public(request):
        response = HttpResponse("cacheable")
        response["Cache-Control"] = "public, max-age=60"
        return response

    middleware = SecurityHeadersMiddleware(public)
    static, anonymous, signed_in = rf.get("/static/x.css"), rf.get("/"), rf.get("/")
    anonymous.user = AnonymousUser()
    signed_in.user = django_user_model(username="someone")

    assert cache_directives(middleware(static)) == {"public", "max-age=60"}
    assert cache_directives(middleware(anonymous)) == {"public", "max-age=60"}
    assert cache_directives(middleware(signed_in)) == {"private", "no-store", "max-age=60"}
