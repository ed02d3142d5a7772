"""Hypothesis strategies for what a vendor might answer: the documented shapes with every
field bent (numbers as strings, odd dates, missing keys, wrong types), arbitrary JSON,
error envelopes, and bytes that are not JSON at all."""

import json

from hypothesis import strategies as st

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

# Values a careless or hostile vendor might put where a number belongs.
NUMBERISH = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.from_regex(r"-?\d{1,6}(\.\d{1,4})?", fullmatch=True),
    st.sampled_from(
        [
            "0.5",
            "1",
            "",
            " ",
            "1e3",
            "1E+2",
            "-0",
            "NaN",
            "sNaN",
            "-Infinity",
            "1_000",
            "0x10",
            "５",
            "1,5",
            "€5",
            "1e40",
            "9" * 30,
            "0.000000000000001",
        ]
    ),
    SCALARS,
)
DATEISH = st.one_of(
    st.dates().map(str),
    st.sampled_from(
        [
            "2022-01-18",
            "2022-02-30",
            "2022-01-18T10:00:00Z",
            "20220118",
            "18/01/2022",
            "0000-00-00",
            "",
            " 2022-01-18 ",
            "2022-1-8",
        ]
    ),
    SCALARS,
)
IDENTIFIER = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.from_regex(r"[0-9A-Za-z-]{1,12}", fullmatch=True),
    st.sampled_from(["", " ", "108501", "108501.0", "1" * 65, "x" * 200]),
    SCALARS,
)
CURRENCYISH = st.one_of(
    st.sampled_from(["EUR", "EUR€", "€", "usd", "US$", "$", "£", "Fr.", "CHF", "", "EURO", "E"]),
    SCALARS,
)


def record(fields: dict) -> st.SearchStrategy:
    """An object with each of `fields` present (with its odd value) or missing."""
    return st.fixed_dictionaries({}, optional=fields)


LICENSE_ITEM = record(
    {
        "license_code": st.one_of(st.just("CL-Q-A005-M1"), SCALARS),
        "license_name": st.one_of(st.just("Business <b>Filter</b>"), SCALARS),
        "license_duration_months": NUMBERISH,
        "license_version": NUMBERISH,
        "license_quantity": st.one_of(st.just("5 users"), SCALARS),
        "license_points": NUMBERISH,
        "license_amount": NUMBERISH,
        "license_amount_currency": CURRENCYISH,
    }
)

CONTENT = {
    "available": st.one_of(st.lists(LICENSE_ITEM, max_size=3), JSON),
    "demo": st.one_of(
        record(
            {
                "customer": SCALARS,
                "version": SCALARS,
                "license": SCALARS,
                "expiry_date": DATEISH,
                "license_id": IDENTIFIER,
            }
        ),
        JSON,
    ),
    "assign": st.one_of(
        record(
            {
                "customer": SCALARS,
                "license_id": IDENTIFIER,
                "start_date": DATEISH,
                "expiry_date": DATEISH,
                "deducted_amount": NUMBERISH,
                "currency_code": CURRENCYISH,
            }
        ),
        JSON,
    ),
    "suspend": st.one_of(st.text(max_size=40), JSON),
    "enable": st.one_of(st.text(max_size=40), JSON),
    "customer_new": st.one_of(record({"customer_code": NUMBERISH}), JSON),
    "auth_token": st.one_of(
        record(
            {
                "token": st.one_of(
                    st.from_regex(r"[A-Za-z0-9%._~+/=-]{1,40}", fullmatch=True), SCALARS
                ),
                "expiration": SCALARS,
            }
        ),
        JSON,
    ),
    "directory": st.one_of(
        st.lists(
            st.one_of(
                SCALARS,
                st.lists(SCALARS, min_size=2, max_size=2),
                record({"code": SCALARS, "name": SCALARS, "currency_code": SCALARS}),
            ),
            max_size=4,
        ),
        st.dictionaries(st.text(max_size=5), SCALARS, max_size=4),
        JSON,
    ),
}

CODES = st.one_of(st.just(200), st.sampled_from(["200", 200.0, 201, 500, None, "ok"]))
ERRORS = st.one_of(
    st.dictionaries(
        st.text(max_size=12),
        st.one_of(st.lists(st.text(max_size=30), max_size=3), JSON),
        max_size=3,
    ),
    JSON,
)


def envelope(content: st.SearchStrategy) -> st.SearchStrategy:
    """A whole answer body, as bytes."""
    documented = st.one_of(
        st.builds(lambda c, code: {"code": code, "content": c}, content, CODES),
        st.builds(lambda c: {"content": c}, content),
        st.fixed_dictionaries({"code": st.just(500), "message": SCALARS, "errors": ERRORS}),
        st.fixed_dictionaries({"code": st.just(405), "message": SCALARS, "error": JSON}),
        st.fixed_dictionaries({"message": SCALARS}),
        JSON,
    ).map(lambda data: json.dumps(data).encode())
    garbage = st.one_of(
        st.binary(max_size=80),
        st.text(max_size=80).map(str.encode),
        st.just(b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        st.just(b'{"code": 200, "content": '),
    )
    return st.one_of(documented, documented, documented, garbage)


STATUSES = st.one_of(
    st.just(200),
    st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 405, 422, 429, 500, 502, 503, 504]),
    st.integers(min_value=200, max_value=599),
)
RETRY_AFTER = st.one_of(
    st.none(),
    st.sampled_from(["0", "1", "99999", "-1", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", ""]),
)
