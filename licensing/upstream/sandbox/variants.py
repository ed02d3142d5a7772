"""Ways the real vendor may write its answers, each a switch the tests turn on.

The sandbox normally answers exactly as the vendor's documentation shows. A variant
rewrites the answers the way a real (or differently configured) vendor plausibly
would, so that the portal is tested against each over real HTTP. Switches are set with
``SandboxState.set_variants`` or ``POST /_sandbox/variants`` and cleared by a reset.

- ``single_object``: a ``license_code`` lookup on ``available`` answers one object, not a
  one-item list (the docs only say it "returns detail for specific license code").
- ``numbers_as_strings``: every number is written as a string: ``"5.00"``, ``"0.5"``, ids.
- ``decimal_commas``: amounts are strings with a decimal comma: ``"12,50"``.
- ``currency``: how currencies are written, one of ``lower`` (``eur``), ``code_symbol``
  (``EUR€``) or ``symbol`` (``€``; codes without a symbol stay as they are).
- ``id_types_swapped``: ``license_id`` is a string from demo and a number from assign.
- ``extra_fields``: answers carry unknown extra fields and ``null`` optional fields.
- ``http200``: every vendor error body (405, 500 with ``errors``) comes with HTTP 200,
  so only the body's ``code`` says what happened.
- ``unreadable_item``: the catalogue carries one more item that cannot be read at all.
- ``unpriced_item``: the first catalogue item's price cannot be read (``"n/a"``).
- ``odd_details``: a sale's answer has a start date in another format and no amount.
- ``ids_per_kind``: demos are numbered apart from paid licences, from the same first
  number, so a demo's ``license_id`` equals an earlier paid licence's.
- ``surcharge``: an assign deducts (and reports) 1.00 more than the catalogue showed.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from licensing.upstream.sandbox import catalogue

VARIANTS = frozenset(
    {
        "single_object",
        "numbers_as_strings",
        "decimal_commas",
        "currency",
        "id_types_swapped",
        "extra_fields",
        "http200",
        "unreadable_item",
        "unpriced_item",
        "odd_details",
        "ids_per_kind",
        "surcharge",
    }
)
CURRENCY_SPELLINGS = frozenset({"lower", "code_symbol", "symbol"})
SURCHARGE = Decimal("1.00")
_AMOUNTS = {"license_amount", "deducted_amount"}
_CURRENCIES = {"license_amount_currency", "currency_code"}


def checked(variants: Mapping[str, Any]) -> dict[str, Any]:
    """The switches in ``variants`` (name → True, or the spelling for ``currency``);
    raises ValueError on an unknown name or value. False or None turns a switch off."""
    if not isinstance(variants, Mapping):
        raise ValueError("variants must be an object of name -> value")
    chosen: dict[str, Any] = {}
    for name, value in variants.items():
        if name not in VARIANTS:
            raise ValueError(f"unknown variant {name!r}; known: {', '.join(sorted(VARIANTS))}")
        if value in (False, None):
            continue
        if name == "currency":
            if value not in CURRENCY_SPELLINGS:
                raise ValueError(f"currency must be one of {', '.join(sorted(CURRENCY_SPELLINGS))}")
        elif value is not True:
            raise ValueError(f"variant {name!r} is true or false")
        chosen[name] = value
    return chosen


def shape(
    endpoint: str, status: int, payload: dict, data: dict, variants: Mapping[str, Any]
) -> tuple[int, dict]:
    """The answer ``(status, payload)`` to a call of ``endpoint`` with input ``data``, as
    the switched-on ``variants`` write it."""
    if not variants:
        return status, payload
    if "http200" in variants and "code" in payload:
        status = 200
    content = payload.get("content")
    if payload.get("code") != 200 or content is None:
        return status, payload
    if endpoint == "available" and isinstance(content, list):
        content = _catalogue(content, data, variants)
    elif isinstance(content, dict):
        content = _record(endpoint, dict(content), variants)
    return status, {**payload, "content": content}


def _catalogue(items: list, data: dict, variants: Mapping[str, Any]) -> Any:
    items = [_record("available", dict(item), variants) for item in items]
    if "unpriced_item" in variants and items:
        items[0]["license_amount"] = "n/a"
    if "unreadable_item" in variants:
        items.append({"license_name": "Broken entry", "license_amount": 1})
    if "single_object" in variants and data.get("license_code") and len(items) == 1:
        return items[0]
    return items


def _record(endpoint: str, record: dict, variants: Mapping[str, Any]) -> dict:
    spelling = variants.get("currency")
    for key, value in record.items():
        if key in _CURRENCIES and spelling and isinstance(value, str):
            record[key] = _spell(value, spelling)
        elif key in _AMOUNTS and "decimal_commas" in variants:
            record[key] = f"{Decimal(str(value)):.2f}".replace(".", ",")
        elif "numbers_as_strings" in variants and _is_number(value):
            record[key] = f"{value:.2f}" if key in _AMOUNTS else str(value)
    if "id_types_swapped" in variants and "license_id" in record:
        license_id = str(record["license_id"])
        record["license_id"] = license_id if endpoint == "demo" else int(license_id)
    if "odd_details" in variants and endpoint == "assign":
        start = str(record.get("start_date", ""))
        record["start_date"] = "/".join(reversed(start.split("-")))  # 18/01/2022
        record.pop("deducted_amount", None)
    if "extra_fields" in variants:
        record["reseller_note"] = {"source": "api", "tags": ["x"]}
        record["discount"] = None
        if endpoint == "available":
            record["license_version"] = None
    return record


def _spell(code: str, spelling: str) -> str:
    code = code.strip().upper()[:3]
    if spelling == "lower":
        return code.lower()
    symbol = catalogue.CURRENCIES.get(code, ("", code, 0))[1]
    if spelling == "code_symbol":
        return code + symbol if symbol != code else code
    return symbol


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
