"""Directory look-ups read what the vendor sends, and fall back to settings; never raise."""

import pytest
from django.conf import settings

from licensing import upstream
from tests.upstream import faultserver as fs

Choice = upstream.Choice


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            [{"code": "EUR", "name": "Euro"}, {"code": "USD", "name": "US dollar"}],
            [Choice("EUR", "Euro"), Choice("USD", "US dollar")],
            id="objects",
        ),
        pytest.param(
            [{"currency_code": "CHF", "currency_name": "Swiss franc"}],
            [Choice("CHF", "Swiss franc")],
            id="prefixed keys",
        ),
        pytest.param({"EUR": "Euro"}, [Choice("EUR", "Euro")], id="mapping"),
        pytest.param(["EUR", "USD"], [Choice("EUR", "EUR"), Choice("USD", "USD")], id="strings"),
        pytest.param([["EUR", "Euro"]], [Choice("EUR", "Euro")], id="pairs"),
        pytest.param([{"id": 3, "label": "Pro"}], [Choice("3", "Pro")], id="numeric ids"),
    ],
)
def test_directory_reads_the_vendors_list(fault, make_client, content, expected):
    fault.script(fs.ok(content))

    assert make_client().currencies() == expected
    assert fault.last().method == "GET"
    assert fault.last().path == "/customerarea/directory/currencies"
    assert fault.last().json == {}


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(fs.html(502), id="502"),
        pytest.param(fs.reply(500, {"message": "Error"}), id="500"),
        pytest.param(fs.reply(401, {"message": "Invalid token"}), id="401"),
        pytest.param(fs.reply(404, {"message": "Not Found"}), id="404 unknown path"),
        pytest.param(fs.reply(200, "<html>"), id="not json"),
        pytest.param(fs.ok([]), id="empty"),
        pytest.param(fs.ok("EUR"), id="a string"),
        pytest.param(fs.ok([{"nothing": "useful"}]), id="objects without codes"),
        pytest.param(fs.ok([{"code": {"nested": 1}, "name": "x"}]), id="nested value"),
        pytest.param(fs.stall(2.0), id="timeout"),
    ],
)
@pytest.mark.parametrize("method", ["currencies", "versions", "countries", "industries"])
def test_directory_falls_back_to_settings_when_the_vendor_is_unusable(
    fault, make_client, action, method
):
    fault.script(action)

    choices = getattr(make_client(fallbacks=settings.FLASHSTART_FALLBACKS), method)()

    expected = [Choice(str(v), str(label)) for v, label in settings.FLASHSTART_FALLBACKS[method]]
    assert choices == expected


def test_directory_falls_back_when_the_vendor_cannot_be_reached(make_client):
    client = make_client(base_url=fs.closed_port_url())

    assert client.industries() == [Choice("1", "Business")]


def test_directory_without_a_configured_path_uses_the_fallback_without_calling(fault, make_client):
    paths = {k: v for k, v in settings.FLASHSTART_PATHS.items() if k != "countries"}

    assert make_client(paths=paths).countries() == [Choice("IT", "Italy")]
    assert fault.count() == 0


def test_directory_without_fallbacks_returns_an_empty_list(fault, make_client):
    fault.script(fs.html(503))

    assert make_client(fallbacks=None).versions() == []
