"""The managers' overview page, with a server-drawn SVG chart (no script, no inline style)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import dateformat, formats
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from licensing import selectors
from licensing.views import responses
from licensing.views.decorators import manager_required

# Chart geometry in SVG user units; the SVG scales to its container through viewBox.
CHART_WIDTH = 720
CHART_HEIGHT = 220
PLOT_LEFT = 16
PLOT_TOP = 24
PLOT_BOTTOM = 32  # room for month labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    month: str
    value: Decimal
    value_y: float
    short: str  # "12.5k": the label on the bar; the table and the tooltip carry the exact sum


@dataclass(frozen=True)
class Chart:
    currency: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    maximum: Decimal


def short_amount(value: Decimal) -> str:
    """1234.5 → "1.2k", 2500000 → "2.5M": short enough to sit above a bar (with the active
    language's decimal mark: "1,2k" in Italian)."""
    for limit, suffix in ((Decimal(1_000_000), "M"), (Decimal(1000), "k")):
        if value >= limit:
            short = (value / limit).quantize(Decimal("0.1"))
            places = 0 if short == short.to_integral_value() else 1
            return formats.number_format(short, places, use_l10n=True) + suffix
    return formats.number_format(value.quantize(Decimal(1)), 0, use_l10n=True)


def spend_charts(months: list[selectors.reports.MonthSpend], currencies: list[str]) -> list[Chart]:
    """One bar chart per currency (amounts in different currencies do not add up), the
    currency with the most spend first."""
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    slot = (CHART_WIDTH - 2 * PLOT_LEFT) / max(len(months), 1)
    baseline = PLOT_TOP + plot_height
    charts = []
    totals = {c: sum((m.totals.get(c, Decimal(0)) for m in months), Decimal(0)) for c in currencies}
    for currency in sorted(currencies, key=lambda c: (-totals[c], c)):
        values = [m.totals.get(currency, Decimal(0)) for m in months]
        top = max(values) or Decimal(1)
        bars = []
        for i, (month, value) in enumerate(zip(months, values, strict=True)):
            height = round(float(value / top) * plot_height, 1)
            x = PLOT_LEFT + i * slot
            bars.append(
                Bar(
                    x=round(x + slot * 0.15, 1),
                    y=round(baseline - height, 1),
                    width=round(slot * 0.7, 1),
                    height=height,
                    label_x=round(x + slot / 2, 1),
                    month=dateformat.format(month.month, "M y"),  # "Jan 26", "Gen 26"
                    value=value,
                    value_y=round(baseline - height - 6, 1),
                    short=short_amount(value),
                )
            )
        charts.append(
            Chart(
                currency=currency,
                bars=bars,
                width=CHART_WIDTH,
                height=CHART_HEIGHT,
                baseline=baseline,
                maximum=max(values),
            )
        )
    return charts


@require_GET
@manager_required(gettext_lazy("view the reports"))
def reports(request):
    overview = selectors.reports.overview()
    context = {
        "overview": overview,
        "charts": spend_charts(overview.months, overview.currencies),
        "spend_rows": [
            (m.month, [m.totals.get(c) for c in overview.currencies]) for m in overview.months
        ],
        "expiry_days": selectors.reports.EXPIRY_WINDOW_DAYS,
        "list_limit": selectors.reports.LIST_LIMIT,
        "forecast": selectors.forecast.renewal_forecast(),
        "approvals_summary": selectors.approvals.approvals_summary(),
    }
    return responses.page(request, "licensing/reports.html", context)
