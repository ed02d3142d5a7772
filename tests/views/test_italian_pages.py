"""Every page a salesperson and a manager can reach, in Italian: no English UI text left.

A crawl with Django's test client (no browser): from the navigation, every same-origin
link and htmx fragment is fetched with `Accept-Language: it` (each distinct target once:
ids and query values are collapsed, as in the browser walk), bounded in count. Each page's
visible text and its spoken attributes (title, aria-label, placeholder, alt, button
values, confirmations) are checked two ways:

- against the catalogue: no text is exactly an English message the catalogue translates
  (a string marked but not translated where it is shown);
- against English itself: no text holds a common English word (a string never marked),
  once the data on the page is taken out (customer names, usernames, licence names as the
  vendor gives them, codes).

Money and dates are checked in Italian formats on the pages that show them.
"""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from licensing import audit, services
from licensing.models import AuditEvent, Customer, LicenseAssignment
from licensing.upstream.sandbox import catalogue, endpoints
from tests.e2e import scenery
from tests.factories import PASSWORD, customer_factory, user_factory

pytestmark = pytest.mark.django_db

MAX_PAGES = 220
ITALIAN = {"HTTP_ACCEPT_LANGUAGE": "it-IT,it;q=0.9,en;q=0.3"}
START = ("/", "/customers/", "/profile/", "/audit/", "/reports/", "/approvals/", "/admin/")
SKIPPED = (
    re.compile(r"^/static/"),
    re.compile(r"^/accounts/logout"),
    re.compile(r"^/language/"),
    re.compile(r"^/audit/export\."),  # files for spreadsheets: English columns on purpose
    re.compile(r"/dashboard/$"),  # a POST to the vendor's dashboard
    re.compile(r"^/admin/logout"),
    re.compile(r"^/admin/password_change"),
    re.compile(r"/delete/$"),
    re.compile(r"^/admin/r/"),  # "view on site" redirects
)
# Words an Italian page never holds outside data. Left out: words Italian shares or
# borrows ("demo", "report", "email", "dashboard", "in", "no", "a", "e", "online").
_ENGLISH_WORDS = """
the and of to for with from by this that these those your you yes not all none any
each every more less than then when where which who what there here is are was were be
been has have had will would can could should must may its our their them they we on
off at as or an if into out up new old show hide open close save cancel back next
previous search filter export licence licences license licenses customer customers
renewal renewals expires expired expiry assign assigned active suspended pending
unknown failed paid price points amount currency duration reason request requests
approve approved reject rejected spend month months year years day days today
yesterday week page pages staff manager managers sales owner profile sign log login
logout nothing only also still yet just already again soon now before after since
until time date name code language home help details change delete add edit view
history total totals count list reports approvals outcome outcomes forecast ending
expiring resume suspend confirm buy bought sold sent answer answers vendor
"""
ENGLISH = set(_ENGLISH_WORDS.split())
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "hx-confirm", "data-confirm")
ITALIAN_MONEY = re.compile(r"\d{1,3}(?:\.\d{3})*,\d{2} (?:€|£|[A-Z]{3})")
ENGLISH_MONEY = re.compile(r"(?:€|£|US\$)\d")


class _Text(HTMLParser):
    """Visible text pieces, spoken attributes, and the links and htmx targets of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name):
                self.pieces.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.pieces.append(values["value"])
        for name in ("href", "hx-get"):
            if values.get(name):
                self.links.append(values[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.pieces.append(data)


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def english_messages():
    """English messages the Italian catalogue translates to something else (plain ones),
    but not those that are also an Italian translation ("Note" is both)."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale/it/LC_MESSAGES/django.po"))
    found = set()
    italian = {_normal(e.msgstr) for e in po if e.msgstr}
    for entry in po:
        for msgid, msgstr in [(entry.msgid, entry.msgstr)] + (
            [(entry.msgid_plural, entry.msgstr_plural.get(1, ""))] if entry.msgid_plural else []
        ):
            if "%" in msgid or "<" in msgid or not WORD.search(msgid):
                continue
            if msgstr and _normal(msgstr) != _normal(msgid):
                found.add(_normal(msgid))
    return found - italian


def _data() -> list[str]:
    """What the pages show as data, longest first (so a name is removed before its parts)."""
    values: set[str] = set()
    for customer in Customer.objects.all():
        values |= {customer.name, customer.email, customer.notes, str(customer.customer_code)}
    for row in LicenseAssignment.objects.all():
        values |= {row.license_name, row.license_code, row.license_info, row.license_id or ""}
        values |= {row.failure_message, row.resolution_note, row.review_note}
    for user in get_user_model().objects.all():
        values |= {user.username, user.get_full_name(), user.first_name, user.last_name}
    for names in catalogue._NAMES.values():
        values |= set(names.values())
    values |= {name for _code, name in settings.LANGUAGES}  # each in its own language
    values |= {catalogue.DEMO_NAME, services.assignments.DEMO_PRODUCT, "FlashStart", "Django"}
    # What staff typed and the vendor's own words, inside the trail's messages (the
    # portal's own words in them are translated when shown, and checked).
    values.add("the school is reviewing its budget")
    # The vendor's own words (the sandbox speaks English, like FlashStart's API errors).
    source = Path(endpoints.__file__).read_text()
    values |= set(re.findall(r'"((?:The|License|Customer|Demo) [^"]{8,})"', source))
    values |= set(AuditEvent.objects.values_list("hash", flat=True))
    values |= set(AuditEvent.objects.values_list("prev_hash", flat=True))
    return sorted((_normal(v) for v in values if v and _normal(v)), key=len, reverse=True)


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + "?" + "&".join(k for k in keys if k not in ("_changelist_filters",))


def _crawl(client) -> dict[str, list[str]]:
    """The text pieces of every page reached, by URL."""
    seen: set[str] = set()
    queue = list(START)
    pages: dict[str, list[str]] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        key = _pattern(url)
        if key in seen or any(rule.search(url) for rule in SKIPPED):
            continue
        seen.add(key)
        response = client.get(url, **ITALIAN, HTTP_HX_REQUEST="true" if "hx" in url else "")
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code == 403:
            continue  # the other role's page: its refusal page is checked through the start
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        assert response["Content-Language"] == "it", url
        parser = _Text()
        parser.feed(response.content.decode())
        pages[url] = parser.pieces
        for link in parser.links:
            if link.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            target = urljoin(url, link.split("#")[0])  # the admin's filters are "?key=value"
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(target)
    return pages


def _english_left(pages, english_messages, data) -> list[str]:
    problems = []
    for url, pieces in pages.items():
        for piece in pieces:
            text = _normal(piece)
            if text in english_messages:
                problems.append(f"{url}: untranslated {text!r}")
                continue
            rest = text
            for value in data:
                if value in rest:
                    rest = rest.replace(value, " ")
            words = {w.lower().strip("'’-") for w in WORD.findall(rest)}
            english = sorted(words & ENGLISH)
            if english:
                problems.append(f"{url}: English {english} in {text!r}")
    return sorted(set(problems))


@pytest.fixture
def populated(sandbox_settings):
    from django.utils import timezone

    from licensing import roles
    from licensing.models import ApprovalRequest

    user_factory(groups=[roles.SALES], username="sally", first_name="Sally", last_name="Seller")
    customer_factory(
        customer_code=1001,
        name="Rossi Ufficio SRL",
        language="en",
        email="amministrazione@rossiufficio.it",
    )
    data = scenery.populate()
    # Rows of the trail the portal writes in English and shows translated.
    sally = get_user_model().objects.get(username="sally")
    services.profile_language_set(meta=audit.RequestMeta(user=sally), code="it")
    services.profile_update(meta=audit.RequestMeta(user=sally), reminders_opt_out=True)
    ApprovalRequest.objects.create(
        customer=data["rossi"],
        license_code="CL-Q-A050-M12",
        license_info="Branch office",
        amount=Decimal("429.00"),
        currency="EUR",
        requested_by=get_user_model().objects.get(username="sally"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return data


def test_a_salesperson_sees_only_italian(client, populated, english_messages):
    client.force_login(get_user_model().objects.get(username="sally"))
    pages = _crawl(client)
    assert len(pages) > 10
    problems = _english_left(pages, english_messages, _data())
    assert not problems, "\n".join(problems[:80])


def test_a_manager_sees_only_italian_including_the_admin(client, populated, english_messages):
    client.force_login(populated["manager"])
    pages = _crawl(client)
    assert any(url.startswith("/admin/") for url in pages)
    problems = _english_left(pages, english_messages, _data())
    assert not problems, "\n".join(problems[:80])


def test_what_anyone_meets_is_italian_too(client, populated, english_messages):
    """The sign-in page, the not-found and no-access pages, and the answers to forms."""
    pieces: dict[str, list[str]] = {}

    def read(label, response):
        assert response.status_code < 500, label
        parser = _Text()
        parser.feed(response.content.decode())
        pieces[label] = parser.pieces

    read("login", client.get("/accounts/login/", **ITALIAN))
    read(
        "login refused",
        client.post("/accounts/login/", {"username": "x", "password": "y"}, **ITALIAN),
    )
    client.force_login(get_user_model().objects.get(username="sally"))
    read("404", client.get("/customers/999999/", **ITALIAN))
    read("403", client.get("/audit/", **ITALIAN))
    token = client.get(
        "/customers/1001/assign/?license_code=CL-Q-A005-M1&currency_code=EUR", **ITALIAN
    )
    read(
        "assign refused",
        client.post("/customers/1001/assign/", {"license_code": "CL-Q-A005-M1"}, **ITALIAN),
    )
    read(
        "create refused", client.post("/customers/new/?mode=create", {"mode": "create"}, **ITALIAN)
    )
    read(
        "link refused",
        client.post("/customers/new/?mode=link", {"mode": "link", "customer_code": "x"}, **ITALIAN),
    )
    read(
        "suspend refused",
        client.post(f"/assignments/{populated['monthly'].pk}/suspend/", {"reason": ""}, **ITALIAN),
    )
    read(
        "bulk",
        client.post(
            "/customers/1001/renewals/",
            {"action": "suspend", "reason": "closing", "assignment": [populated["monthly"].pk]},
            **ITALIAN,
            follow=True,
        ),
    )
    assert token.status_code == 200
    problems = _english_left(pieces, english_messages, _data())
    assert not problems, "\n".join(problems[:80])


def test_money_and_dates_are_written_the_italian_way(client, populated):
    client.force_login(populated["manager"])
    page = client.get("/customers/1001/", **ITALIAN).content.decode()
    assert ITALIAN_MONEY.search(page), "no amount in Italian format on the customer page"
    assert not ENGLISH_MONEY.search(page)
    months = "gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic"
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", page)
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", page)


def test_the_italian_profile_choice_beats_an_english_browser(client, populated):
    from licensing.models import Profile

    Profile.objects.create(user=populated["manager"], language="it")
    signed_in = client.post(
        "/accounts/login/", {"username": populated["manager"].username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    for url in ("/", "/customers/", "/reports/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en")
        assert response["Content-Language"] == "it", url
        assert "Clienti" in response.content.decode()
