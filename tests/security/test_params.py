"""The one parser of numbers and dates in query strings (licensing/views/params.py): ASCII
digits only, bounded, and days clamped to what every time zone can shift; never raises."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from licensing.views import params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        ("0", 0),
        ("007", 7),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),  # past a 64-bit column
        ("9" * 5000, None),
        ("²", None),
        ("١٢", None),
        ("𝟗", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        (["1"], None),
    ],
)
def test_whole_numbers_are_ascii_digits_that_fit(raw, expected):
    assert params.whole_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("0", 1),
        ("000", 1),
        ("3", 3),
        ("²", 1),
        ("10000", 10_000),
        ("10001", 10_000),  # deeper pages are the deepest one offered
        ("9" * 400, 10_000),
    ],
)
def test_page_numbers_start_at_one_and_stop_at_the_maximum(raw, expected):
    query = {} if raw is None else {"page": raw}

    assert params.page_number(query) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-01-31", "2025-01-31"),
        ("0001-01-01", "0001-01-02"),
        ("9999-12-31", "9999-12-30"),
        ("0001-01-01 00:00:00", "0001-01-02 00:00:00"),
        ("9999-12-31 23:59:59+02:00", "9999-12-30 23:59:59+02:00"),
        ("2025-01-31 10:00:00", "2025-01-31 10:00:00"),
        ("nonsense", "nonsense"),  # left for the admin to refuse
        ("True", "True"),
    ],
)
def test_admin_filter_values_keep_their_form_with_the_day_clamped(raw, expected):
    assert params.moment_text(raw) == expected


@given(st.text(max_size=30))
def test_no_text_makes_the_parsers_raise(raw):
    params.whole_number(raw)
    params.page_number({"page": raw})
    params.moment_text(raw)
