"""What each role may get from each URL, and how to tell from a response.

A URL nobody lists here gets the default for its kind: a staff page (Sales and above) or
an admin page (Managers and above). A page meant for fewer people must be listed, or the
permission matrix fails for it: that is the point.
"""

from urllib.parse import urlsplit

from django.conf import settings

ROLES = ("anonymous", "nogroup", "sales", "managers", "superuser")

# Outcomes
OK = "ok"  # 200
LOGIN = "login"  # 302 to a login page
REFUSED = "refused"  # 403
REDIRECT = "redirect"  # 3xx elsewhere in the portal
METHOD = "method"  # 405: the URL takes POST only
ALLOWED = "allowed"  # anything but a server error or a login redirect (admin details)

ADMIN_LOGIN_PATH = "/admin/login/"
# Reachable without logging in; everything else must send an anonymous visitor to log in.
PUBLIC = {"healthz", "login", "switch_language"}


def _row(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


STAFF = _row(LOGIN, REFUSED, OK, OK, OK)
MANAGERS_ONLY = _row(LOGIN, REFUSED, REFUSED, OK, OK)
ADMIN = _row(LOGIN, REFUSED, REFUSED, ALLOWED, ALLOWED)
# Accounts and groups: managers must not be able to grant themselves more.
SUPERUSER_ONLY_ADMIN = _row(LOGIN, REFUSED, REFUSED, REFUSED, ALLOWED)

BY_NAME = {
    "healthz": _row(OK, OK, OK, OK, OK),
    "login": _row(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "logout": _row(LOGIN, METHOD, METHOD, METHOD, METHOD),
    # The language buttons work on the sign-in page too (a cookie; nothing else for them).
    "switch_language": _row(METHOD, METHOD, METHOD, METHOD, METHOD),
    "customer_dashboard": _row(LOGIN, METHOD, METHOD, METHOD, METHOD),
    "assignment_resolve": MANAGERS_ONLY,
    "audit_list": MANAGERS_ONLY,
    "audit_export_csv": MANAGERS_ONLY,
    "audit_export_xlsx": MANAGERS_ONLY,
    "reports": MANAGERS_ONLY,
    "approval_list": MANAGERS_ONLY,
    "approval_request": _row(LOGIN, METHOD, METHOD, METHOD, METHOD),
    "admin:index": _row(LOGIN, REFUSED, REFUSED, OK, OK),
    "admin:login": _row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "admin:licensing_customer_changelist": MANAGERS_ONLY,
    "admin:licensing_licenseassignment_changelist": MANAGERS_ONLY,
    "admin:licensing_auditevent_changelist": MANAGERS_ONLY,
}


def expected(url, role: str) -> str:
    if url.name in BY_NAME:
        return BY_NAME[url.name][role]
    if url.name and url.route.startswith(("admin/auth/user/", "admin/auth/group/")):
        return SUPERUSER_ONLY_ADMIN[role]
    if url.is_admin:
        return ADMIN[role]
    return STAFF[role]


def is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    path = urlsplit(response["Location"]).path
    return path in (settings.LOGIN_URL, ADMIN_LOGIN_PATH)


def matches(response, outcome: str) -> bool:
    status = response.status_code
    if outcome == OK:
        return status == 200
    if outcome == LOGIN:
        return is_login_redirect(response)
    if outcome == REFUSED:
        return status == 403
    if outcome == REDIRECT:
        return 300 <= status < 400 and not is_login_redirect(response)
    if outcome == METHOD:
        return status == 405
    if outcome == ALLOWED:
        return status < 500 and not is_login_redirect(response)
    raise ValueError(outcome)
