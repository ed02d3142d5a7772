"""Talking to the portal over HTTP like a browser: cookies, forms, redirects not followed."""

import html
import re
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def open_url(url, *, cookies, data=None, timeout=60, follow=True):
    """(status, body) of a GET, or of a POST of `data` (a dict or urlencoded bytes);
    cookies set by the answer are kept in `cookies`. `follow=False`: a redirect is
    returned as it is (its status and an empty body)."""
    if isinstance(data, dict):
        data = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=data)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Referer", url)
    opener = urllib.request.build_opener() if follow else _OPENER
    try:
        with opener.open(request, timeout=timeout) as response:
            _keep_cookies(response.headers, cookies)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        _keep_cookies(exc.headers, cookies)
        return exc.code, exc.read().decode(errors="replace")


def _keep_cookies(headers, cookies) -> None:
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]


def form_fields(page: str, marker: str = 'name="token"') -> dict[str, str]:
    """Every named input of the page's POST form that contains `marker`."""
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, re.S | re.I)
    form = next((f for f in forms if marker in f), None)
    assert form, f"the page has a POST form with {marker}"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form, re.I):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        checkbox = 'type="checkbox"' in tag
        if checkbox and "checked" not in tag:
            continue
        default = "on" if checkbox else ""
        fields[name.group(1)] = html.unescape(value.group(1)) if value else default
    return fields
