"""Charts for the reports, as PNG files posted in the thread.

matplotlib is imported only inside the draw functions (importing the handlers never
loads it) and only through its object API with the Agg canvas: no pyplot, so no global
figure state shared between the bot's threads, and no display. A chart is 1200 × 600
pixels (Slack's preview shows it whole), with a title, units, dates in UTC and alt text
that says what it shows in words. A chart with nothing to draw is not made (the caller
says so in a word); without matplotlib, reports are text only and one log line says why.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from intents.pricing import money
from intents.reply import FileOut

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

WIDTH_IN, HEIGHT_IN, DPI = 12.0, 6.0, 100  # 1200 × 600 px
# Service colours that stay apart for most colour-blind readers (Okabe-Ito), then greys.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER = "#9E9E9E"
_missing_logged = threading.Event()


def _figure(rows: int = 1, *, left: float = 0.08) -> tuple[Figure, list[Axes]] | None:
    """A blank figure with *rows* stacked plots sharing the x axis; None without matplotlib.
    Margins are fixed (the figure's size is): a third faster than constrained layout."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        if not _missing_logged.is_set():
            _missing_logged.set()
            log.warning("matplotlib is not installed: reports are posted without charts")
        return None
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)
    figure.subplots_adjust(left=left, right=0.98, top=0.93, bottom=0.09, hspace=0.12)
    return figure, [row[0] for row in axes]


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _style(ax: Axes) -> None:
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _dollars(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: money(v, like=[1000.0])))


# ---------------------------------------------------------------------------- cost


@dataclass(frozen=True)
class ForecastDay:
    day: date
    mean: float
    low: float | None = None
    high: float | None = None


def cost_chart(
    title: str,
    days: Sequence[date],
    by_service: Sequence[tuple[str, Sequence[float]]],
    forecast: Sequence[ForecastDay] = (),
    *,
    filename: str = "cost-per-day.png",
) -> FileOut | None:
    """Daily cost stacked by service (the caller passes the top services and "Other"),
    and the forecast to month end as hatched bars with its range."""
    totals = [sum(values[i] for _, values in by_service) for i in range(len(days))]
    if not days or not any(totals):
        return None
    made = _figure()
    if made is None:
        return None
    figure, (ax,) = made
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num

    x = date2num(list(days))
    bottom = [0.0] * len(days)
    for i, (name, values) in enumerate(by_service):
        colour = OTHER if name.startswith("Other") else PALETTE[i % len(PALETTE)]
        ax.bar(x, values, bottom=bottom, width=0.8, color=colour, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if forecast:
        # A day both spent on and forecast (today) shows the forecast's rest above the spend.
        spent = dict(zip(days, totals, strict=True))
        ax.bar(
            date2num([f.day for f in forecast]),
            [max(0.0, f.mean - spent.get(f.day, 0.0)) for f in forecast],
            bottom=[spent.get(f.day, 0.0) for f in forecast],
            width=0.8,
            color="white",
            edgecolor="#555555",
            hatch="//",
            label="Forecast (Cost Explorer)",
        )
        ranged = [f for f in forecast if f.low is not None and f.high is not None]
        if ranged:
            ax.errorbar(
                date2num([f.day for f in ranged]),
                [f.mean for f in ranged],
                yerr=[
                    [f.mean - (f.low or 0.0) for f in ranged],
                    [(f.high or 0.0) - f.mean for f in ranged],
                ],
                fmt="none",
                ecolor="#555555",
                capsize=2,
                linewidth=0.8,
            )
    ax.set_title(title, fontsize=14, loc="left")
    ax.set_ylabel("USD per day")
    ax.set_xlabel("Date (UTC)")
    ax.xaxis.set_major_locator(AutoDateLocator(maxticks=12))
    ax.xaxis.set_major_formatter(DateFormatter("%b %d", tz="UTC"))
    _dollars(ax)
    _style(ax)
    ax.legend(loc="upper left", fontsize=9, ncols=2, frameon=False)
    top = max(by_service, key=lambda s: sum(s[1]))[0] if by_service else ""
    alt = (
        f"{title}: stacked bars of daily cost by service from {days[0]:%b %d} to "
        f"{days[-1]:%b %d} (UTC), {money(sum(totals))} in all, most from {top}"
    )
    if forecast:
        alt += (
            f"; hatched bars forecast {money(sum(f.mean for f in forecast))} more to "
            f"{forecast[-1].day:%b %d}"
        )
    return FileOut(filename, _png(figure), title=title, alt=alt + ".")


# ---------------------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class EndpointSeries:
    """One endpoint's metrics in equal periods (5 minutes), oldest first."""

    times: Sequence[datetime]
    invocations: Sequence[float]
    errors_4xx: Sequence[float]
    errors_5xx: Sequence[float]
    latency_ms: Sequence[float | None]
    period_minutes: int = 5


def endpoint_chart(name: str, series: EndpointSeries, *, window: str) -> FileOut | None:
    """Invocations, 4xx/5xx errors and model latency of one endpoint, three stacked plots."""
    if not series.times or not (
        any(series.invocations) or any(series.errors_5xx) or any(series.errors_4xx)
    ):
        return None
    made = _figure(3)
    if made is None:
        return None
    figure, (calls, errors, latency) = made
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num

    x = date2num(list(series.times))
    per = f"per {series.period_minutes} min"
    calls.plot(x, series.invocations, color=PALETTE[0], linewidth=1.6)
    calls.fill_between(x, series.invocations, color=PALETTE[0], alpha=0.15)
    calls.set_ylabel(f"Invocations\n{per}")
    errors.plot(x, series.errors_5xx, color="#D55E00", linewidth=1.6, label="5xx")
    errors.plot(x, series.errors_4xx, color="#E69F00", linewidth=1.2, label="4xx")
    errors.set_ylabel(f"Errors\n{per}")
    errors.legend(loc="upper left", fontsize=9, frameon=False)
    points = [(t, v) for t, v in zip(series.times, series.latency_ms, strict=True) if v is not None]
    if points:
        latency.plot(date2num([t for t, _ in points]), [v for _, v in points], color="#CC79A7")
    latency.set_ylabel("Model latency\nms (average)")
    latency.set_xlabel("Time (UTC)")
    latency.xaxis.set_major_locator(AutoDateLocator(maxticks=13))
    latency.xaxis.set_major_formatter(DateFormatter("%H:%M", tz="UTC"))
    for ax in (calls, errors, latency):
        _style(ax)
        ax.set_ylim(bottom=0)
    calls.set_title(f"Endpoint {name}: traffic, errors and latency, {window}", loc="left")
    total = sum(series.invocations)
    worst = max((v for _, v in points), default=None)
    alt = (
        f"Endpoint {name}, {window} in {series.period_minutes}-minute periods (UTC): "
        f"{total:,.0f} invocations, {sum(series.errors_5xx):,.0f} 5xx and "
        f"{sum(series.errors_4xx):,.0f} 4xx errors"
        + (f", model latency up to {worst:,.0f} ms" if worst is not None else "")
        + "."
    )
    return FileOut(
        f"endpoint-{name}.png", _png(figure), title=f"{name}: traffic, errors, latency", alt=alt
    )


# ---------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class BudgetBar:
    name: str
    actual: float
    limit: float
    forecast: float | None


def budget_chart(bars: Sequence[BudgetBar], *, more: int = 0) -> FileOut | None:
    """Each budget's actual spend and forecast against its limit, as a share of the limit
    (budgets of very different sizes fit one axis); the tightest at the top."""
    shown = [b for b in bars if b.limit > 0]
    if not shown:
        return None
    longest = max(len(b.name[:40]) for b in shown)
    made = _figure(left=min(0.4, 0.03 + 0.0075 * longest))
    if made is None:
        return None
    figure, (ax,) = made
    from matplotlib.ticker import PercentFormatter

    names = [b.name if len(b.name) <= 40 else b.name[:39] + "…" for b in reversed(shown)]
    actual = [b.actual / b.limit * 100 for b in reversed(shown)]
    forecast = [(b.forecast or 0.0) / b.limit * 100 for b in reversed(shown)]
    ax.barh(names, forecast, color="white", edgecolor="#555555", hatch="//", label="Forecast")
    colours = ["#D55E00" if a >= 100 else "#E69F00" if a >= 80 else "#009E73" for a in actual]
    ax.barh(names, actual, color=colours, height=0.5, label="Actual")
    ax.axvline(100, color="#333333", linewidth=1.2, linestyle="--", label="Limit")
    for y, b in enumerate(reversed(shown)):
        shares = [b.actual, b.limit, b.forecast]
        text = f"{money(b.actual, like=shares)} of {money(b.limit, like=shares)}"
        if b.forecast is not None:
            text += f", forecast {money(b.forecast, like=shares)}"
        ax.text(
            1,
            y + 0.3,
            text,
            fontsize=9,
            va="bottom",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set_xlabel("Share of the budget's limit (USD)")
    title = "AWS Budgets: actual and forecast spend against the limit"
    if more:
        title += f" (the {len(shown)} tightest; {more} more in the list)"
    ax.set_title(title, loc="left")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, fontsize=9, frameon=False)
    _style(ax)
    over = [b.name for b in shown if b.forecast is not None and b.forecast > b.limit]
    alt = f"Bars of {len(shown)} budgets' spend as a share of their limit; " + (
        f"forecast over the limit: {', '.join(over[:5])}" + (" and more" if len(over) > 5 else "")
        if over
        else "none is forecast over its limit"
    )
    return FileOut("budgets.png", _png(figure), title="Budgets: actual and forecast", alt=alt + ".")
