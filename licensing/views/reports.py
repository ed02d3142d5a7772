"""The managers' overview page, with a server-drawn SVG chart (no script, no inline style)."""

from dataclasses import dataclass
from decimal import Decimal

from django.views.decorators.http import require_GET

from licensing import reporting
from licensing.views import responses
from licensing.views.audit import managers_only

# Chart geometry in SVG user units; the SVG scales to its container through viewBox.
CHART_WIDTH = 720
CHART_HEIGHT = 260
PLOT_LEFT = 16
PLOT_TOP = 28
PLOT_BOTTOM = 36  # room for month labels


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


@dataclass(frozen=True)
class Chart:
    currency: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    maximum: Decimal


def spend_charts(months: list[reporting.MonthSpend], currencies: list[str]) -> list[Chart]:
    """One bar chart per currency (amounts in different currencies do not add up)."""
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    slot = (CHART_WIDTH - 2 * PLOT_LEFT) / max(len(months), 1)
    baseline = PLOT_TOP + plot_height
    charts = []
    for currency in currencies:
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
                    month=month.month.strftime("%b %y"),
                    value=value,
                    value_y=round(baseline - height - 6, 1),
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
@managers_only("view the managers' reports")
def reports(request):
    overview = reporting.overview()
    context = {
        "overview": overview,
        "charts": spend_charts(overview.months, overview.currencies),
        "spend_rows": [
            (m.month, [m.totals.get(c) for c in overview.currencies]) for m in overview.months
        ],
        "expiry_days": reporting.EXPIRY_WINDOW_DAYS,
        "list_limit": reporting.LIST_LIMIT,
    }
    return responses.page(request, "licensing/reports.html", context)
