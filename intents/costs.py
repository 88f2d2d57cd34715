"""Cost and monitoring: Cost Explorer, Budgets, idle resources, Model Monitor."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.aws import (
    BUDGETS_PAGE,
    SAGEMAKER_PAGE,
    concurrently,
    error_code,
    is_not_found,
    items,
    listing,
    page_size,
    partial_note,
    translate,
)
from intents.base import Approved, Request
from intents.charts import BudgetBar, ForecastDay, budget_chart, cost_chart
from intents.errors import InvalidInput, NotFound
from intents.metrics import TRAFFIC_KEYS, EndpointStats, endpoint_stats, variants_by_endpoint
from intents.pricing import HOURS_PER_MONTH, hourly_price, money, pricing_client
from intents.registry import Router
from intents.reply import (
    Block,
    Button,
    Context,
    FileOut,
    Header,
    Md,
    Proposal,
    Reply,
    Risk,
    Section,
    ask,
    bold,
    code,
    fields,
    lines,
    md,
)
from intents.resources import check_name, resource_tags, search
from intents.tables import csv_file, cut, more_line

if TYPE_CHECKING:
    from types_boto3_budgets.type_defs import SpendTypeDef
    from types_boto3_ce import CostExplorerClient
    from types_boto3_ce.type_defs import (
        GetAnomaliesRequestTypeDef,
        GetCostAndUsageRequestTypeDef,
        GetCostAndUsageResponseTypeDef,
        GetCostForecastRequestTypeDef,
    )
    from types_boto3_pricing import PricingClient
    from types_boto3_sagemaker.type_defs import (
        DescribeAppRequestTypeDef,
        ListMonitoringSchedulesRequestPaginateTypeDef,
        NotebookInstanceSummaryTypeDef,
        ProductionVariantOutputTypeDef,
    )

    from intents.deps import Deps

router = Router("cost")

# Catalog service values -> Cost Explorer's SERVICE dimension
CE_SERVICES = {
    "sagemaker": "Amazon SageMaker",
    "s3": "Amazon Simple Storage Service",
    "ec2": "Amazon Elastic Compute Cloud - Compute",
    "rekognition": "Amazon Rekognition",
    "comprehend": "Amazon Comprehend",
    "polly": "Amazon Polly",
    "translate": "Amazon Translate",
    "transcribe": "Amazon Transcribe",
    "lex": "Amazon Lex",
}
PERIOD_TITLES = {
    "today": "today",
    "yesterday": "yesterday",
    "this_week": "this week",
    "last_week": "last week",
    "this_month": "this month",
    "last_month": "last month",
}


# A period the catalog has no value for ("next year", "in 2023", "last quarter", "the last
# 30 days"): refused with the forms that work, rather than read as this month.
_OTHER_PERIOD = re.compile(
    r"\b(?:next|coming|previous|past|last|this|the)\s+(?:\d+\s+)?(?:years?|quarters?|"
    r"fortnight|decades?|\d+\s+(?:days?|weeks?|months?))\b|\b(?:19|20)\d\d\b|\bq[1-4]\b|"
    r"\b(?:tomorrow|annual|yearly|quarterly|ytd|year to date)\b|\b(?:january|february|march|"
    r"april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)
PERIOD_FORMS = (
    "today, yesterday, this week, last week, this month or last month "
    "(weeks start on Monday, in UTC)"
)
TOP_SERVICES = 10  # rows of the by-service table; the rest are one "Other" row
CHART_DAYS = 14  # a chart shows at least this many days, for context
LAST_24_HOURS = "last_24_hours"  # hourly scheduled reports: not a chat period


def period_range(period: str, today: date) -> tuple[date, date]:
    """[start, end) of a catalog period; weeks start on Monday."""
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    ranges = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, today + timedelta(days=1)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (first, today + timedelta(days=1)),
        "last_month": ((first - timedelta(days=1)).replace(day=1), first),
    }
    return ranges[period]


def _today(deps: Deps) -> date:
    return datetime.fromtimestamp(deps.clock(), UTC).date()


@dataclass(frozen=True)
class Costs:
    """Unblended cost per day and service over [start, end)."""

    start: date
    end: date
    daily: dict[date, dict[str, float]]  # day -> service -> USD (only days with data)
    estimated: bool

    def total(self, start: date, end: date, service: str | None = None) -> float:
        return sum(self.by_service(start, end, service).values())

    def by_service(self, start: date, end: date, service: str | None = None) -> dict[str, float]:
        out: dict[str, float] = {}
        for day, amounts in self.daily.items():
            if start <= day < end:
                for name, usd in amounts.items():
                    if service is None or name == service:
                        out[name] = out.get(name, 0.0) + usd
        return out

    @property
    def first_day(self) -> date | None:
        """The first day Cost Explorer has any cost for (of any service)."""
        return min((d for d, amounts in self.daily.items() if amounts), default=None)


def costs(ce: CostExplorerClient, start: date, end: date) -> Costs:
    """Daily unblended cost of every service over [start, end), every page of Cost
    Explorer's answer. Not filtered by service: which days have data at all tells a day
    without a service's usage ($0) from a day before the account's data begins."""
    request: GetCostAndUsageRequestTypeDef = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    daily: dict[date, dict[str, float]] = {}
    estimated = False
    for page in _pages(ce, request):
        for result in page.get("ResultsByTime", []):
            day = date.fromisoformat(result["TimePeriod"]["Start"][:10])
            estimated = estimated or bool(result.get("Estimated"))
            for group in result.get("Groups", []):
                amount = float(group["Metrics"]["UnblendedCost"]["Amount"])
                if amount:
                    spent = daily.setdefault(day, {})
                    spent[group["Keys"][0]] = spent.get(group["Keys"][0], 0.0) + amount
    return Costs(start, end, daily, estimated)


def _pages(
    ce: CostExplorerClient, request: GetCostAndUsageRequestTypeDef
) -> Iterator[GetCostAndUsageResponseTypeDef]:
    token = None
    while True:
        if token:
            request["NextPageToken"] = token
        page = ce.get_cost_and_usage(**request)
        yield page
        token = page.get("NextPageToken")
        if not token:
            return


@dataclass(frozen=True)
class Forecast:
    total: float
    low: float | None
    high: float | None
    days: tuple[ForecastDay, ...]


def forecast(
    ce: CostExplorerClient, start: date, end: date, service: str | None = None
) -> Forecast | Md:
    """Cost Explorer's forecast of unblended cost over [start, end) (start is today or
    later), daily, with its 80 % range; a sentence when there is none."""
    request: GetCostForecastRequestTypeDef = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Metric": "UNBLENDED_COST",
        "Granularity": "DAILY",
        "PredictionIntervalLevel": 80,
    }
    if service:
        request["Filter"] = {"Dimensions": {"Key": "SERVICE", "Values": [service]}}
    try:
        answer = ce.get_cost_forecast(**request)
    except (ClientError, NotImplementedError) as exc:
        if isinstance(exc, ClientError) and error_code(exc) == "DataUnavailableException":
            return md("No forecast: Cost Explorer has too little history to forecast yet.")
        known = translate(exc, action="GetCostForecast")
        if known is None:
            raise
        return md("No forecast: {m}", m=known.message)
    days = []
    low = high = 0.0
    ranged = True
    for result in answer.get("ForecastResultsByTime", []):
        mean = float(result.get("MeanValue") or 0.0)
        lo, hi = (
            result.get("PredictionIntervalLowerBound"),
            result.get("PredictionIntervalUpperBound"),
        )
        ranged = ranged and lo is not None and hi is not None
        low += float(lo or 0.0)
        high += float(hi or 0.0)
        days.append(
            ForecastDay(
                date.fromisoformat(result["TimePeriod"]["Start"][:10]),
                mean,
                float(lo) if lo is not None else None,
                float(hi) if hi is not None else None,
            )
        )
    total = float(answer.get("Total", {}).get("Amount") or sum(d.mean for d in days))
    return Forecast(total, low if ranged else None, high if ranged else None, tuple(days))


@dataclass(frozen=True)
class Anomaly:
    start: str
    end: str | None
    service: str
    impact: float
    expected: float | None
    where: str  # region, usage type: what the root cause names


def anomalies(
    ce: CostExplorerClient, start: date, end: date, service: str | None
) -> list[Anomaly] | Md:
    """Cost Anomaly Detection's anomalies that began in [start, end), largest impact first
    (every page); a sentence when they cannot be read."""
    found: list[Anomaly] = []
    token = None
    try:
        while True:
            request: GetAnomaliesRequestTypeDef = {
                "DateInterval": {
                    "StartDate": start.isoformat(),
                    "EndDate": (end - timedelta(days=1)).isoformat(),
                },
                "MaxResults": 100,
            }
            if token:
                request["NextPageToken"] = token
            page = ce.get_anomalies(**request)
            for a in page.get("Anomalies", []):
                causes = a.get("RootCauses") or [{}]
                cause = causes[0]
                name = str(cause.get("Service") or a.get("DimensionValue") or "?")
                if service and name != service:
                    continue
                impact = a.get("Impact", {})
                where = ", ".join(
                    str(v) for v in (cause.get("Region"), cause.get("UsageType")) if v
                )
                found.append(
                    Anomaly(
                        a.get("AnomalyStartDate", "")[:10],
                        (a.get("AnomalyEndDate") or "")[:10] or None,
                        name,
                        float(impact.get("TotalImpact", impact.get("MaxImpact", 0.0)) or 0.0),
                        float(impact["TotalExpectedSpend"])
                        if impact.get("TotalExpectedSpend") is not None
                        else None,
                        where,
                    )
                )
            token = page.get("NextPageToken")
            if not token:
                break
    except (ClientError, NotImplementedError) as exc:
        known = translate(exc, action="GetAnomalies")
        if known is None:
            raise
        return md("Cost anomalies could not be read: {m}", m=known.message)
    return sorted(found, key=lambda a: -a.impact)


def _period(request: Request) -> str:
    period = request.slot("period")
    if period is None and request.source != "schedule":
        unread = _OTHER_PERIOD.search(request.text or "")
        if unread:
            raise InvalidInput(
                f"I can't report costs for “{unread.group(0)}”.",
                hint=f"I can report {PERIOD_FORMS}.",
            )
    period = period or "this_month"
    if period not in PERIOD_TITLES and not (
        period == LAST_24_HOURS and request.source == "schedule"
    ):
        raise InvalidInput(
            f"I can't report costs for “{period}”.", hint=f"I can report {PERIOD_FORMS}."
        )
    return period


@router.intent("CostReport")
def cost_report(request: Request, deps: Deps) -> Reply:
    """What the account spent in a period, by service, against the period before, with
    Cost Explorer's forecast to month end, anomalies, and a daily chart."""
    period = _period(request)
    slot_service = request.slot("service")
    if slot_service and slot_service not in CE_SERVICES:
        raise InvalidInput(
            f"I can't break out {slot_service}.", hint="Services: " + ", ".join(CE_SERVICES) + "."
        )
    service = CE_SERVICES[slot_service] if slot_service else None
    today = _today(deps)
    if period == LAST_24_HOURS:
        return _last_24_hours(deps, service)
    ce = deps.aws.ce
    start, end = period_range(period, today)
    length = end - start
    # One listing covers the period, the one before (to compare) and two weeks (the chart).
    begin = min(start - length, end - timedelta(days=CHART_DAYS))
    found = costs(ce, begin, end)
    what = f"{service} " if service else ""
    title = f"{what}costs {PERIOD_TITLES[period]}"
    title = title[0].upper() + title[1:]
    now_by_service = found.by_service(start, end, service)
    total = sum(now_by_service.values())
    blocks: list[Block] = [
        Header(title),
        Section(
            md(
                "{t} spent {w}{c}.",
                t=bold(money(total)),
                w=_span(start, end),
                c=_change(found, start, end, today, service),
            )
        ),
    ]
    files: list[FileOut] = []
    if not service and now_by_service:
        rows, csv_ = _by_service(now_by_service, total, period)
        blocks.append(Section(fields=fields(rows)))
        if csv_ is not None:
            files.append(csv_)
    ahead: Forecast | Md | None = None
    if period == "this_month":
        month_end = (start + timedelta(days=32)).replace(day=1)
        ahead = forecast(ce, today, month_end, service)
        if isinstance(ahead, Forecast):
            so_far = found.total(start, today, service)
            outlook = [so_far + ahead.total]
            blocks.append(
                Section(
                    md(
                        ":chart_with_upwards_trend: Forecast for {m}: {f} ({s} to {y}, {a} more "
                        "from today to {e}{r}).",
                        m=f"{start:%B}",
                        f=bold(money(so_far + ahead.total, like=outlook)),
                        s=money(so_far, like=outlook),
                        y=f"{today - timedelta(days=1):%b %d}",
                        a=money(ahead.total, like=outlook),
                        e=f"{month_end - timedelta(days=1):%b %d}",
                        r=md(
                            "; 80% range {lo}–{hi}",
                            lo=money(so_far + ahead.low, like=outlook),
                            hi=money(so_far + ahead.high, like=outlook),
                        )
                        if ahead.low is not None and ahead.high is not None
                        else md(""),
                    )
                )
            )
        else:
            blocks.append(Context(ahead))
    spotted = anomalies(ce, start, end, service)
    if isinstance(spotted, Md):
        blocks.append(Context(spotted))
    elif spotted:
        lines_ = [
            md(
                ":warning: {s} {d}: {i} above the expected {x}{w}",
                s=bold(a.service),
                d=_anomaly_span(a),
                i=money(a.impact, like=[a.expected]),
                x=money(a.expected, like=[a.impact]) if a.expected is not None else "spend",
                w=md(" ({w})", w=a.where) if a.where else md(""),
            )
            for a in spotted[:3]
        ]
        if len(spotted) > 3:
            lines_.append(more_line(len(spotted) - 3, "anomalies"))
        blocks.append(Section(lines(md("*Cost anomalies* ({n}):", n=len(spotted)), *lines_)))
    chart = _cost_chart(found, title, start, end, service, ahead)
    if chart is not None:
        files.insert(0, chart)
    else:
        blocks.append(Context(md("No chart: there are no daily costs to draw for these dates.")))
    blocks.append(
        Context(
            md(
                "Cost Explorer, unblended, USD, days in UTC{e}",
                e=" · includes estimated costs" if found.estimated else "",
            )
        )
    )
    return Reply(summary=f"{title}: {money(total)}", blocks=tuple(blocks), files=tuple(files))


def _change(found: Costs, start: date, end: date, today: date, service: str | None) -> Md:
    """' (up 12 % vs Oct 04–Oct 31)': complete days only (today is not over), against the
    same number of days just before, and only when Cost Explorer has data for all of them."""
    complete_end = min(end, today)
    days = (complete_end - start).days
    if days <= 0:
        return md("")
    before = start - timedelta(days=days)
    first = found.first_day
    if first is None:
        return md(" (Cost Explorer has no cost data for these dates)")
    if first > before:
        return md(" (no cost data before {d} to compare with)", d=f"{first:%b %d}")
    now = found.total(start, complete_end, service)
    then = found.total(before, start, service)
    span = _short_span(before, start)
    if then < 0.01:
        return md(" (nothing spent {s})", s=span) if now >= 0.01 else md("")
    delta = (now - then) / then
    part = "" if complete_end == end else f"{_short_span(start, complete_end)} "
    return md(
        " ({p}{a} {x:.0%} vs {s})",
        p=part,
        a="up" if delta >= 0 else "down",
        x=abs(delta),
        s=span,
    )


def _by_service(
    spent: dict[str, float], total: float, period: str
) -> tuple[list[tuple[str, str]], FileOut | None]:
    """The top services, then one "Other (N services)" row, so the shares add up."""
    ranked = sorted(spent.items(), key=lambda kv: -kv[1])
    every = [amount for _, amount in ranked]

    def row(name: str, amount: float) -> tuple[str, str]:
        share = f" ({amount / total:.0%})" if total else ""
        return name, money(amount, like=every[:1]) + share

    # One service past the top is shown as itself: an "Other" row of one names nothing.
    top = TOP_SERVICES if len(ranked) > TOP_SERVICES + 1 else TOP_SERVICES + 1
    rows = [row(n, a) for n, a in ranked[:top]]
    rest = ranked[top:]
    if not rest:
        return rows, None
    rows.append(row(f"Other ({len(rest)} services)", sum(a for _, a in rest)))
    csv_ = csv_file(
        f"costs-{period.replace('_', '-')}-by-service.csv",
        ["service", "usd", "share"],
        [(n, f"{a:.2f}", f"{a / total:.4f}" if total else "") for n, a in ranked],
    )
    return rows, csv_


def _cost_chart(
    found: Costs,
    title: str,
    start: date,
    end: date,
    service: str | None,
    ahead: Forecast | Md | None,
) -> FileOut | None:
    """Daily cost stacked by service (the period, at least two weeks), plus the forecast."""
    first = max(min(start, end - timedelta(days=CHART_DAYS)), found.start)
    days = [first + timedelta(days=i) for i in range((end - first).days)]
    totals: dict[str, float] = {}
    for day in days:
        for name, usd in found.daily.get(day, {}).items():
            if service is None or name == service:
                totals[name] = totals.get(name, 0.0) + usd
    ranked = [n for n, _ in sorted(totals.items(), key=lambda kv: -kv[1])]
    top, rest = ranked[:6], set(ranked[6:])
    series: list[tuple[str, list[float]]] = [
        (name, [found.daily.get(d, {}).get(name, 0.0) for d in days]) for name in top
    ]
    if rest:
        series.append(
            (
                f"Other ({len(rest)} services)",
                [sum(v for n, v in found.daily.get(d, {}).items() if n in rest) for d in days],
            )
        )
    chart_title = title if first == start else f"{title}, and the days before"
    return cost_chart(
        f"{chart_title} (USD per day, UTC)",
        days,
        series,
        ahead.days if isinstance(ahead, Forecast) else (),
    )


def _last_24_hours(deps: Deps, service: str | None) -> Reply:
    """The hourly scheduled report: the last 24 hours from Cost Explorer's hourly data; where
    hourly data is not turned on, the two UTC days the last 24 hours fall in, said plainly."""
    ce = deps.aws.ce
    now = datetime.fromtimestamp(deps.clock(), UTC).replace(minute=0, second=0, microsecond=0)
    since = now - timedelta(hours=24)
    request: GetCostAndUsageRequestTypeDef = {
        "TimePeriod": {
            "Start": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "End": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "Granularity": "HOURLY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    spent: dict[str, float] = {}
    estimated = False
    note = md(
        "Cost Explorer hourly data, {a}–{b} UTC", a=f"{since:%b %d %H:%M}", b=f"{now:%b %d %H:%M}"
    )
    try:
        for page in _pages(ce, request):
            for result in page.get("ResultsByTime", []):
                estimated = estimated or bool(result.get("Estimated"))
                for group in result.get("Groups", []):
                    name = group["Keys"][0]
                    spent[name] = spent.get(name, 0.0) + float(
                        group["Metrics"]["UnblendedCost"]["Amount"]
                    )
        span = "in the last 24 hours"
    except ClientError as exc:
        if error_code(exc) not in ("ValidationException", "DataUnavailableException"):
            raise
        # Hourly granularity is an opt-in of Cost Explorer: the daily data of yesterday and
        # today so far cover the last 24 hours (and a little more).
        found = costs(ce, now.date() - timedelta(days=1), now.date() + timedelta(days=1))
        spent = found.by_service(found.start, found.end)
        estimated = found.estimated
        span = "yesterday and today so far (UTC)"
        note = md(
            "Cost Explorer daily data: hourly data is not turned on for this account, so this "
            "covers yesterday and today so far"
        )
    if service:
        spent = {k: v for k, v in spent.items() if k == service}
    total = sum(spent.values())
    title = f"{service + ' ' if service else ''}costs in the last 24 hours"
    blocks: list[Block] = [
        Header(title[0].upper() + title[1:]),
        Section(md("{t} spent {s}.", t=bold(money(total)), s=span)),
    ]
    files: list[FileOut] = []
    if not service and spent:
        rows, csv_ = _by_service(spent, total, LAST_24_HOURS)
        blocks.append(Section(fields=fields(rows)))
        files += [csv_] if csv_ else []
    blocks.append(Context(note + md("{e}", e=" · includes estimated costs" if estimated else "")))
    return Reply(
        summary=f"{title[0].upper() + title[1:]}: {money(total)}",
        blocks=tuple(blocks),
        files=tuple(files),
    )


def _span(start: date, end: date) -> str:
    last = end - timedelta(days=1)
    return f"on {start:%b %d}" if start == last else f"from {start:%b %d} to {last:%b %d}"


def _short_span(start: date, end: date) -> str:
    last = end - timedelta(days=1)
    return f"{start:%b %d}" if start == last else f"{start:%b %d}–{last:%b %d}"


def _anomaly_span(a: Anomaly) -> str:
    first = date.fromisoformat(a.start) if a.start else None
    last = date.fromisoformat(a.end) if a.end else None
    if first is None:
        return "recently"
    if last is None:
        return f"since {first:%b %d}"
    return f"on {first:%b %d}" if first == last else f"{first:%b %d}–{last:%b %d}"


# ---------------------------------------------------------------------------- budgets


def _amount(block: SpendTypeDef | None) -> float | None:
    return float(block["Amount"]) if block and block.get("Amount") is not None else None


@router.intent("BudgetStatus")
def budget_status(request: Request, deps: Deps) -> Reply:
    """How far along each AWS Budget is, with the forecast, the tightest first."""
    budgets_client = deps.aws.budgets
    account = deps.aws.account_id()
    name = request.slot("budgetName")
    if name:
        try:
            found = [budgets_client.describe_budget(AccountId=account, BudgetName=name)["Budget"]]
        except ClientError as exc:
            if "NotFound" not in str(exc.response.get("Error", {}).get("Code", "")):
                raise
            raise NotFound(
                f"There is no budget named {name}.", hint="Say 'show budgets' to see them."
            ) from None
    else:
        found = list(
            items(
                budgets_client.get_paginator("describe_budgets").paginate(
                    AccountId=account, PaginationConfig=page_size(BUDGETS_PAGE)
                ),
                lambda page: page.get("Budgets", []),
            )
        )
    if not found:
        return Reply.text(md("There are no AWS Budgets in this account."))
    rows = []
    for budget in found:
        limit = _amount(budget.get("BudgetLimit")) or 0.0
        spend = budget.get("CalculatedSpend")
        actual = _amount(spend.get("ActualSpend") if spend else None) or 0.0
        forecast_ = _amount(spend.get("ForecastedSpend") if spend else None)
        used = actual / limit if limit else 0.0
        rows.append(
            (used, budget["BudgetName"], limit, actual, forecast_, budget.get("TimeUnit", ""))
        )
    # The tightest first: over the limit, then forecast over it, then by share used.
    rows.sort(key=lambda r: (-r[0], -((r[4] or 0.0) / r[2] if r[2] else 0.0), r[1]))
    lines_: list[Md] = []
    for used, name_, limit, actual, forecast_, unit in rows:
        icon = (
            ":red_circle:"
            if used >= 1
            else ":large_orange_circle:"
            if used >= 0.8
            else ":large_green_circle:"
        )
        same = [actual, limit, forecast_]  # one money format in the line
        line = md(
            "{i} {n} ({u}): {a} of {l} used ({p:.0%})",
            i=Md(icon),
            n=bold(name_),
            u=unit.lower(),
            a=money(actual, like=same),
            l=money(limit, like=same),
            p=used,
        )
        if forecast_ is not None and limit and forecast_ > limit:
            line = line + md(
                " · forecast {f}, over by {o}",
                f=money(forecast_, like=same),
                o=money(forecast_ - limit, like=same),
            )
        lines_.append(line)
    over = sum(1 for r in rows if r[0] >= 0.8)
    summary = (
        f"{over} of {len(rows)} budgets at 80% or more"
        if over
        else f"All {len(rows)} budgets under 80%"
    )
    shown = cut(lines_)
    files: list[FileOut] = []
    body = list(shown.rows)
    if shown.cut:
        attached = "budgets.csv"
        body.append(more_line(shown.more, "budgets, the least used", attached=attached))
        files.append(
            csv_file(
                attached,
                ["budget", "period", "limit_usd", "actual_usd", "forecast_usd", "used"],
                [
                    (
                        n,
                        u.lower(),
                        f"{lim:.2f}",
                        f"{a:.2f}",
                        f"{f:.2f}" if f is not None else "",
                        f"{x:.4f}",
                    )
                    for x, n, lim, a, f, u in rows
                ],
            )
        )
    chart = budget_chart(
        [BudgetBar(n, a, lim, f) for _x, n, lim, a, f, _u in rows[:CHART_BUDGETS]],
        more=max(0, len(rows) - CHART_BUDGETS),
    )
    if chart is not None:
        files.insert(0, chart)
    blocks: list[Block] = [Header("AWS Budgets"), Section(lines(*body))]
    outlook = _month_outlook(deps) if not name else None
    if outlook is not None:
        blocks.append(Context(outlook))
    blocks.append(Context(md("Budgets update a few times a day")))
    return Reply(summary=summary, blocks=tuple(blocks), files=tuple(files))


CHART_BUDGETS = 15  # bars in the budget chart: the tightest


def _month_outlook(deps: Deps) -> Md | None:
    """The whole account's month: spent so far and Cost Explorer's forecast to month end."""
    today = _today(deps)
    start = today.replace(day=1)
    month_end = (start + timedelta(days=32)).replace(day=1)
    ahead = forecast(deps.aws.ce, today, month_end)
    if not isinstance(ahead, Forecast):
        return ahead
    so_far = costs(deps.aws.ce, start, today).total(start, today) if today > start else 0.0
    whole = [so_far + ahead.total]
    return md(
        ":chart_with_upwards_trend: Cost Explorer forecasts {f} for the whole account in {m} "
        "({s} to {y})",
        f=bold(money(so_far + ahead.total, like=whole)),
        m=f"{start:%B}",
        s=money(so_far, like=whole),
        y=f"{today - timedelta(days=1):%b %d}",
    )


# ---------------------------------------------------------------------------- idle resources


def _saves(hourly_usd: float) -> Md:
    """What stopping something that costs *hourly_usd* saves: "$0.20/h, about $146/month"."""
    return md("{h}/h, about {m}/month", h=money(hourly_usd), m=money(hourly_usd * HOURS_PER_MONTH))


# One window for every kind: a resource is idle when it did nothing for a day, and a
# resource younger than that (an endpoint created 5 seconds ago) is not idle yet.
IDLE_WINDOW = timedelta(days=1)
NOTEBOOK_IDLE = IDLE_WINDOW
STARTING_TOO_LONG = timedelta(hours=1)
# Of each kind, the findings shown with a button (more would not fit in a message); the
# rest are counted, and every finding is in the attached CSV. Only the endpoints shown are
# described and priced: one call per finding reported.
MAX_SHOWN = 5
MAX_PRICED = 10
# Studio apps that cost nothing while they run (the classic Studio's Jupyter server).
FREE_INSTANCE = "system"


@dataclass(frozen=True)
class Finding:
    """One idle or stuck resource: its line, its cost, and the button that acts on it."""

    kind: str
    name: str
    line: Md
    hourly: float | None = None  # USD an hour while it runs, when known
    since: datetime | None = None
    action: Button | None = None
    detail: str = ""

    @property
    def monthly(self) -> float | None:
        return self.hourly * HOURS_PER_MONTH if self.hourly is not None else None


@dataclass(frozen=True)
class Kind:
    title: str  # "Idle endpoints"
    noun: str  # "endpoints with no invocations in 24 h"
    findings: list[Finding]


@router.intent("IdleResources")
def idle_resources(request: Request, deps: Deps) -> Reply:
    """Endpoints with no traffic in a day, notebooks and Studio apps left running, jobs that
    look stuck, and Trusted Advisor's cost advice, the most expensive first, each with a
    button to act on it."""
    now = datetime.fromtimestamp(deps.clock(), UTC)
    pricing = pricing_client(deps)
    partial: list[Md] = []  # what a listing AWS kept throttling left out
    notes: list[Md] = []  # what could not be looked at, and why
    kinds = [
        Kind(
            "Idle endpoints",
            "endpoints with no invocations in 24 h",
            _idle_endpoints(deps, now, partial, pricing),
        ),
        Kind(
            "Notebook instances left running",
            "notebooks left running",
            _notebooks(deps, now, partial, pricing),
        ),
        Kind(
            "Idle SageMaker Studio apps",
            "idle Studio apps",
            _studio_apps(deps, now, partial, notes, pricing),
        ),
        Kind(
            "Training jobs that look stuck",
            "training jobs that look stuck",
            _stuck_training_jobs(deps, now, partial),
        ),
    ]
    advice = _trusted_advisor(deps)
    found = [f for k in kinds for f in k.findings]
    if not found and not partial:
        blocks: list[Block] = [
            Section(
                md(
                    ":sparkles: Nothing idle: every endpoint had traffic, no notebook or Studio "
                    "app is left running, no job looks stuck."
                )
            )
        ]
        blocks += _advice_blocks(advice)
        blocks += [Context(note) for note in notes]
        return Reply(summary="Nothing idle", blocks=tuple(blocks))
    waste = sum(f.hourly or 0.0 for f in found)
    monthly = money(waste * HOURS_PER_MONTH)
    unpriced = sum(1 for f in found if f.hourly is None and f.kind != "training job")
    summary = f"{len(found)} idle or stuck resources, " + (
        f"about {monthly}/month" if not unpriced else f"at least {monthly}/month"
    )
    headline = md(
        "{n} idle or stuck resources cost about {m}/month at on-demand prices{u}.",
        n=f"{len(found):,}",
        m=bold(monthly),
        u=md(" (and {x} more not priced)", x=f"{unpriced:,}") if unpriced else md(""),
    )
    blocks = [Header("Idle and stuck resources"), Section(headline)]
    cut_any = False
    for kind in kinds:
        if not kind.findings:
            continue
        blocks.append(Section(md("*{t}* ({n})", t=kind.title, n=f"{len(kind.findings):,}")))
        for f in kind.findings[:MAX_SHOWN]:
            blocks.append(Section(f.line, accessory=f.action))
        if len(kind.findings) > MAX_SHOWN:
            cut_any = True
            blocks.append(
                Context(
                    more_line(
                        len(kind.findings) - MAX_SHOWN, kind.noun, attached="idle-resources.csv"
                    )
                )
            )
    if not found:
        blocks.append(Section(md(":sparkles: Nothing idle among what could be listed.")))
    blocks += _advice_blocks(advice)
    blocks.append(
        Context(
            md(
                "Idle means nothing in the last 24 h and created before that · prices on demand, "
                "{h} h a month · a button asks for the change: a card follows",
                h=HOURS_PER_MONTH,
            )
        )
    )
    blocks += [Context(note) for note in (*notes, *partial)]
    if partial:
        summary += " (partial: AWS kept throttling a listing)"
    files = (
        (
            csv_file(
                "idle-resources.csv",
                ["kind", "name", "detail", "usd_per_hour", "usd_per_month", "idle_since_utc"],
                [
                    (
                        f.kind,
                        f.name,
                        f.detail,
                        f"{f.hourly:.4f}" if f.hourly is not None else "",
                        f"{f.monthly:.2f}" if f.monthly is not None else "",
                        f"{f.since:%Y-%m-%d %H:%M}" if f.since else "",
                    )
                    for f in found
                ],
            ),
        )
        if cut_any
        else ()
    )
    return Reply(summary=summary, blocks=tuple(blocks), files=files)


def _by_cost(findings: list[Finding]) -> list[Finding]:
    """The most expensive first; unpriced ones after the priced, oldest first."""
    return sorted(
        findings,
        key=lambda f: (
            f.hourly is None,
            -(f.hourly or 0.0),
            f.since or datetime.max.replace(tzinfo=UTC),
            f.name,
        ),
    )


def _idle_endpoints(
    deps: Deps, now: datetime, partial: list[Md], pricing: PricingClient | None
) -> list[Finding]:
    idle = _quiet_endpoints(deps, now, partial)
    priced = _endpoints_hourly(deps, [name for name, _ in idle[:MAX_PRICED]], pricing)
    findings = []
    for name, created in idle:
        hourly = priced.get(name) or None
        findings.append(
            Finding(
                "endpoint",
                name,
                md(
                    ":white_circle: Endpoint {n}: no invocations in 24 h{c}",
                    n=bold(name),
                    c=md(", costs {h}/h", h=money(hourly)) if hourly else md(""),
                ),
                hourly,
                created,
                ask(f"Delete {name}", "DeleteEndpoint", {"endpointName": name}, style="danger"),
                "no invocations in 24 h",
            )
        )
    return _by_cost(findings)


def _quiet_endpoints(
    deps: Deps, now: datetime, partial: list[Md]
) -> list[tuple[str, datetime | None]]:
    """Endpoints in service for more than a day with no invocations in 24 h: one listing and
    the metrics batch."""
    listed = listing(
        items(
            deps.aws.sagemaker.get_paginator("list_endpoints").paginate(
                StatusEquals="InService", PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("Endpoints", []),
        )
    )
    if not listed.complete:
        partial.append(partial_note("endpoints", len(listed.found)))
    old = [
        (e["EndpointName"], _as_time(e.get("CreationTime")))
        for e in listed.found
        if not _younger(e.get("CreationTime"), now)
    ]
    known = variants_by_endpoint(deps.aws.cloudwatch)
    stats = endpoint_stats(
        deps.aws.cloudwatch,
        {e: known[e] for e, _ in old if e in known},
        start=now - IDLE_WINDOW,
        end=now,
        keys=TRAFFIC_KEYS,
    )
    return [(e, c) for e, c in old if not stats.get(e, EndpointStats()).invocations]


def _younger(created: Any, now: datetime) -> bool:
    when = _as_time(created)
    return when is not None and now - when < IDLE_WINDOW


def _notebooks(
    deps: Deps, now: datetime, partial: list[Md], pricing: PricingClient | None
) -> list[Finding]:
    findings = []
    for notebook in _notebooks_left_running(deps, now, partial):
        name = notebook["NotebookInstanceName"]
        kind = notebook.get("InstanceType", "")
        price = hourly_price(kind, "hosting", region=deps.aws.region, pricing=pricing)
        since = _as_time(notebook.get("LastModifiedTime") or notebook.get("CreationTime"))
        days = (now - since).days if since else None
        findings.append(
            Finding(
                "notebook",
                name,
                md(
                    ":notebook: Notebook {n} ({i}) running{d}{c}",
                    n=bold(name),
                    i=kind or "?",
                    d=md(" for {x} days", x=days) if days else md(""),
                    c=md(", about {h}/h", h=money(price.hourly_usd)) if price else md(""),
                ),
                price.hourly_usd if price else None,
                since,
                ask(f"Stop {name}", "StopNotebook", {"notebookName": name}),
                kind,
            )
        )
    return _by_cost(findings)


def _studio_apps(
    deps: Deps,
    now: datetime,
    partial: list[Md],
    notes: list[Md],
    pricing: PricingClient | None,
) -> list[Finding]:
    """SageMaker Studio apps in service with no user activity for a day (ListApps, then
    DescribeApp for the last activity of each app that costs money, a few at a time)."""
    sm = deps.aws.sagemaker
    try:
        listed = listing(
            items(
                sm.get_paginator("list_apps").paginate(PaginationConfig=page_size(SAGEMAKER_PAGE)),
                lambda p: p.get("Apps", []),
            )
        )
    except (ClientError, NotImplementedError) as exc:
        known = translate(exc, action="ListApps")
        if known is None:
            raise
        notes.append(md("Studio apps could not be listed: {m}", m=known.message))
        return []
    if not listed.complete:
        partial.append(partial_note("Studio apps", len(listed.found)))
    running = [
        a
        for a in listed.found
        if a.get("Status") == "InService"
        and a.get("ResourceSpec", {}).get("InstanceType", FREE_INSTANCE) != FREE_INSTANCE
        and not _younger(a.get("CreationTime"), now)
    ]
    if not running:
        return []
    owners = _space_owners(deps) if any(a.get("SpaceName") for a in running) else {}

    def last_activity(app: Mapping[str, Any]) -> datetime | None:
        try:
            described = sm.describe_app(**_app_key(app))
        except ClientError:
            return None
        return _as_time(described.get("LastUserActivityTimestamp")) or _as_time(
            described.get("CreationTime")
        )

    findings = []
    for app, active in zip(running, concurrently(last_activity, running), strict=True):
        if active is not None and now - active < IDLE_WINDOW:
            continue
        name, kind = app["AppName"], app.get("ResourceSpec", {}).get("InstanceType", "")
        space = app.get("SpaceName")
        owner = app.get("UserProfileName") or owners.get(space or "", "")
        where = (
            md("space {s}{o}", s=code(space), o=md(" ({x})", x=owner) if owner else md(""))
            if space
            else md("user {u}", u=code(owner or "?"))
        )
        price = hourly_price(kind, "hosting", region=deps.aws.region, pricing=pricing)
        idle_for = (now - active).days if active else None
        slots = {"appName": name}
        if space or owner:
            slots["owner"] = space or owner
        findings.append(
            Finding(
                "studio app",
                name,
                md(
                    ":computer: Studio {t} app {n} in {w} ({i}), no activity{d}{c}",
                    t=app.get("AppType", "?"),
                    n=bold(name),
                    w=where,
                    i=kind,
                    d=md(" for {x} days", x=idle_for) if idle_for else md(" in 24 h"),
                    c=md(", about {h}/h", h=money(price.hourly_usd)) if price else md(""),
                ),
                price.hourly_usd if price else None,
                active,
                ask(f"Delete app {name}"[:75], "DeleteStudioApp", slots, style="danger"),
                f"{app.get('AppType', '')} in {space or owner} on {kind}",
            )
        )
    return _by_cost(findings)


def _app_key(app: Mapping[str, Any]) -> DescribeAppRequestTypeDef:
    """What names one Studio app in DescribeApp and DeleteApp."""
    key: DescribeAppRequestTypeDef = {
        "DomainId": app["DomainId"],
        "AppType": app["AppType"],
        "AppName": app["AppName"],
    }
    if app.get("SpaceName"):
        key["SpaceName"] = app["SpaceName"]
    else:
        key["UserProfileName"] = app.get("UserProfileName", "")
    return key


def _space_owners(deps: Deps) -> dict[str, str]:
    """Studio spaces by name, with the user profile that owns each (one listing)."""
    try:
        return {
            s["SpaceName"]: s.get("OwnershipSettingsSummary", {}).get("OwnerUserProfileName", "")
            for s in items(
                deps.aws.sagemaker.get_paginator("list_spaces").paginate(
                    PaginationConfig=page_size(SAGEMAKER_PAGE)
                ),
                lambda p: p.get("Spaces", []),
            )
        }
    except (ClientError, NotImplementedError):
        return {}


@dataclass(frozen=True)
class Advice:
    name: str
    savings: float | None
    resources: int


def _trusted_advisor(deps: Deps) -> list[Advice] | Md:
    """Trusted Advisor's cost-optimization recommendations with a warning or error, the
    largest savings first; a plain sentence when the support plan (or the role) does not
    allow the Trusted Advisor API."""
    try:
        found = list(
            items(
                deps.aws.trustedadvisor.get_paginator("list_recommendations").paginate(
                    pillar="cost_optimizing", PaginationConfig={"PageSize": 200}
                ),
                lambda p: p.get("recommendationSummaries", []),
            )
        )
    except (ClientError, NotImplementedError) as exc:
        code_ = error_code(exc) if isinstance(exc, ClientError) else ""
        message = (
            str(exc.response.get("Error", {}).get("Message", ""))
            if isinstance(exc, ClientError)
            else ""
        )
        if code_ == "SubscriptionRequiredException" or (
            code_ in ("AccessDeniedException", "AccessDenied") and "support" in message.lower()
        ):
            return md(
                "Trusted Advisor: this account's support plan does not include the Trusted "
                "Advisor API (Business support or higher), so its cost checks are not shown."
            )
        known = translate(exc, action="Trusted Advisor ListRecommendations")
        if known is None:
            raise
        return md("Trusted Advisor: {m}", m=known.message)
    advice = []
    for r in found:
        if r.get("status") not in ("warning", "error"):
            continue
        cost = r.get("pillarSpecificAggregates", {}).get("costOptimizing", {})
        counts = r.get("resourcesAggregates", {})
        advice.append(
            Advice(
                r.get("name", "?"),
                float(cost["estimatedMonthlySavings"])
                if "estimatedMonthlySavings" in cost
                else None,
                int(counts.get("warningCount", 0)) + int(counts.get("errorCount", 0)),
            )
        )
    return sorted(advice, key=lambda a: -(a.savings or 0.0))


def _advice_blocks(advice: list[Advice] | Md) -> list[Block]:
    if isinstance(advice, Md):
        return [Context(advice)]
    if not advice:
        return [Context(md("Trusted Advisor: no cost-optimization warnings."))]
    rows = [
        md(
            "• {n}{c}{s}",
            n=a.name,
            c=md(" ({x} resources)", x=a.resources) if a.resources else md(""),
            s=md(": save about {m}/month", m=bold(money(a.savings))) if a.savings else md(""),
        )
        for a in advice[:MAX_SHOWN]
    ]
    if len(advice) > MAX_SHOWN:
        rows.append(more_line(len(advice) - MAX_SHOWN, "recommendations in Trusted Advisor"))
    return [Section(lines(md("*Trusted Advisor, cost optimization* ({n})", n=len(advice)), *rows))]


def _endpoints_hourly(
    deps: Deps, names: list[str], pricing: PricingClient | None
) -> dict[str, float]:
    """What each endpoint costs an hour (0.0 when unknown): its description, then each
    configuration once, a few at a time; prices come from the process's cache."""
    sm = deps.aws.sagemaker

    def config_of(name: str) -> str | None:
        try:
            return sm.describe_endpoint(EndpointName=name).get("EndpointConfigName")
        except ClientError:
            return None

    def variants_of(config: str) -> list[ProductionVariantOutputTypeDef]:
        try:
            return sm.describe_endpoint_config(EndpointConfigName=config).get(
                "ProductionVariants", []
            )
        except ClientError:
            return []

    configs = dict(zip(names, concurrently(config_of, names), strict=True))
    distinct = sorted({c for c in configs.values() if c})
    variants = dict(zip(distinct, concurrently(variants_of, distinct), strict=True))
    hourly: dict[str, float] = {}
    for name, config in configs.items():
        total = 0.0
        for variant in variants.get(config, []) if config else []:
            price = hourly_price(
                variant.get("InstanceType", ""), "hosting", region=deps.aws.region, pricing=pricing
            )
            total += (price.hourly_usd if price else 0.0) * int(
                variant.get("InitialInstanceCount", 1)
            )
        hourly[name] = total
    return hourly


def _notebooks_left_running(
    deps: Deps, now: datetime, partial: list[Md]
) -> list[NotebookInstanceSummaryTypeDef]:
    listed = listing(
        items(
            deps.aws.sagemaker.get_paginator("list_notebook_instances").paginate(
                StatusEquals="InService", PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("NotebookInstances", []),
        )
    )
    if not listed.complete:
        partial.append(partial_note("notebooks", len(listed.found)))
    found = []
    for notebook in listed.found:
        since = _as_time(notebook.get("LastModifiedTime") or notebook.get("CreationTime"))
        if not (since and now - since < NOTEBOOK_IDLE):
            found.append(notebook)
    return found


def _training_in_progress(deps: Deps, partial: list[Md]) -> list[Mapping[str, Any]]:
    """Training jobs in progress, with their secondary status, start and stopping condition:
    one Search; where the role may not Search, the listing and a describe per job."""
    sm = deps.aws.sagemaker
    found = search(sm, "TrainingJob", "TrainingJobStatus", "InProgress")
    if found is not None:
        return [r["TrainingJob"] for r in found if "TrainingJob" in r]
    listed = listing(
        items(
            sm.get_paginator("list_training_jobs").paginate(
                StatusEquals="InProgress", PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("TrainingJobSummaries", []),
        )
    )
    if not listed.complete:
        partial.append(partial_note("training jobs", len(listed.found)))
    jobs = [j["TrainingJobName"] for j in listed.found]
    return concurrently(lambda name: sm.describe_training_job(TrainingJobName=name), jobs)


def _stuck_training_jobs(deps: Deps, now: datetime, partial: list[Md]) -> list[Finding]:
    stuck = []
    for job in _training_in_progress(deps, partial):
        started = _as_time(job.get("TrainingStartTime") or job.get("CreationTime"))
        limit = job.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
        secondary = job.get("SecondaryStatus", "")
        if not started:
            continue
        running = now - started
        if (secondary in ("Starting", "Pending") and running > STARTING_TOO_LONG) or (
            limit and running.total_seconds() > 0.8 * limit
        ):
            name = job["TrainingJobName"]
            stuck.append(
                Finding(
                    "training job",
                    name,
                    md(
                        ":hourglass: Training job {n} {s} for {h:.1f} h{l}",
                        n=bold(name),
                        s=secondary.lower() or "running",
                        h=running.total_seconds() / 3600,
                        l=md(" (limit {x:.0f} h)", x=limit / 3600) if limit else md(""),
                    ),
                    since=started,
                    action=ask(f"Stop {name}"[:75], "StopTraining", {"jobName": name}),
                    detail=f"{secondary or 'running'} for {running.total_seconds() / 3600:.1f} h",
                )
            )
    # the longest-running first: the likeliest to be truly stuck, and the costliest
    return sorted(stuck, key=lambda f: f.since or now)


def _as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------------------- Model Monitor

# Data-quality checks, most severe first (SageMaker Model Monitor's constraint_check_type),
# with what each means in words. Model-quality violations (a metric past its threshold)
# rank above them all: they say the model itself is getting answers wrong.
DATA_CHECKS = {
    "baseline_drift_check": "drifted from the baseline",
    "missing_column_check": "missing column",
    "data_type_check": "wrong data type",
    "completeness_check": "missing values",
    "categorical_values_check": "unknown categories",
    "extra_column_check": "unexpected column",
}
QUALITY_KINDS = {"ModelQuality", "ModelBias", "ModelExplainability"}
VIOLATIONS_FILE = "constraint_violations.json"
MONITOR_ROWS = 15  # schedules shown with their findings; the rest are counted and attached


@dataclass(frozen=True)
class Violation:
    name: str  # the feature (data quality) or metric (model quality) that violated
    check: str  # constraint_check_type
    description: str

    def rank(self) -> int:
        return list(DATA_CHECKS).index(self.check) if self.check in DATA_CHECKS else -1


@dataclass(frozen=True)
class ScheduleRuns:
    schedule: Mapping[str, Any]
    runs: Sequence[Mapping[str, Any]]
    violations: list[Violation]  # of the latest run, most severe first
    unread: str | None = None  # why the latest run's report could not be read

    @property
    def kind(self) -> str:
        return str(self.schedule.get("MonitoringType") or "DataQuality")

    @property
    def latest(self) -> str:
        return str(self.runs[0].get("MonitoringExecutionStatus", "")) if self.runs else ""

    def count(self, status: str) -> int:
        return sum(1 for r in self.runs if r.get("MonitoringExecutionStatus") == status)

    def severity(self) -> tuple[int, int, int, int]:
        """Sort key, most severe first: the latest run violating (model quality before data
        quality, more violations first), failing, violations earlier in the week, clean."""
        if self.latest == "CompletedWithViolations":
            return (0, 0 if self.kind in QUALITY_KINDS else 1, -len(self.violations), 0)
        if self.latest == "Failed":
            return (1, 0, -self.count("Failed"), 0)
        if self.count("CompletedWithViolations"):
            return (2, 0, -self.count("CompletedWithViolations"), 0)
        return (3, 0, 0, 0) if self.runs else (4, 0, 0, 0)


def _violations(deps: Deps, run: Mapping[str, Any]) -> tuple[list[Violation], str | None]:
    """The violations report of one execution: its processing job's output in S3."""
    arn = str(run.get("ProcessingJobArn") or "")
    if not arn:
        return [], "the run names no processing job"
    try:
        job = deps.aws.sagemaker.describe_processing_job(ProcessingJobName=arn.rsplit("/", 1)[-1])
        outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
        uris = [o["S3Output"]["S3Uri"] for o in outputs if o.get("S3Output", {}).get("S3Uri")]
        if not uris:
            return [], "its processing job has no output in S3"
        bucket, _, prefix = uris[0].removeprefix("s3://").partition("/")
        key = f"{prefix.rstrip('/')}/{VIOLATIONS_FILE}".lstrip("/")
        body = deps.aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        report = json.loads(body)
    except (ClientError, NotImplementedError) as exc:
        known = translate(exc, action="reading the violations report")
        if known is None:
            raise
        return [], known.message
    except ValueError:
        return [], f"{VIOLATIONS_FILE} is not valid JSON"
    found = [
        Violation(
            str(v.get("feature_name") or v.get("metric_name") or v.get("facet") or "?"),
            str(v.get("constraint_check_type") or "?"),
            str(v.get("description") or ""),
        )
        for v in report.get("violations", [])
        if isinstance(v, dict)
    ]
    return sorted(found, key=lambda v: (v.rank(), v.name)), None


def _schedule_runs(deps: Deps, schedule: Mapping[str, Any], since: datetime) -> ScheduleRuns:
    sm = deps.aws.sagemaker
    runs = list(
        items(
            sm.get_paginator("list_monitoring_executions").paginate(
                MonitoringScheduleName=schedule["MonitoringScheduleName"],
                ScheduledTimeAfter=since,
                SortBy="ScheduledTime",
                SortOrder="Descending",
                PaginationConfig=page_size(SAGEMAKER_PAGE, limit=50),
            ),
            lambda p: p.get("MonitoringExecutionSummaries", []),
            limit=50,
        )
    )
    if runs and runs[0].get("MonitoringExecutionStatus") == "CompletedWithViolations":
        found, unread = _violations(deps, runs[0])
        return ScheduleRuns(schedule, runs, found, unread)
    return ScheduleRuns(schedule, runs, [])


def _findings(s: ScheduleRuns, *, limit: int = 6) -> Md:
    """'drifted from the baseline: *amount*, *country*; unknown categories: *merchant_type*'."""
    if s.unread:
        return md("violations report unreadable: {m}", m=s.unread)
    groups: dict[str, list[Violation]] = {}
    for v in s.violations:
        groups.setdefault(v.check, []).append(v)
    parts = []
    shown = 0
    for check, found in groups.items():
        words = DATA_CHECKS.get(check)
        if words is None:  # model quality: the metric and what AWS says of it
            for v in found:
                if shown < limit:
                    parts.append(md("{n} {d}", n=bold(v.name), d=v.description or check))
                    shown += 1
            continue
        names = [bold(v.name) for v in found[: max(0, limit - shown)]]
        shown += len(names)
        if names:
            parts.append(md("{w}: {n}", w=words, n=Md(", ".join(names))))
    rest = len(s.violations) - shown
    text = Md("; ".join(parts))
    return text + md(" (and {n} more)", n=rest) if rest > 0 else text


@router.intent("MonitorSummary")
def monitor_summary(request: Request, deps: Deps) -> Reply:
    """Model Monitor: what drifted or broke in each schedule's latest run (from its
    violations report), most severe first, and the runs of the last 7 days."""
    sm = deps.aws.sagemaker
    endpoint = request.slot("endpointName")
    query: ListMonitoringSchedulesRequestPaginateTypeDef = {
        "PaginationConfig": page_size(SAGEMAKER_PAGE)
    }
    if endpoint:
        query["EndpointName"] = check_name(endpoint)
    schedules = list(
        items(
            sm.get_paginator("list_monitoring_schedules").paginate(**query),
            lambda p: p.get("MonitoringScheduleSummaries", []),
        )
    )
    if not schedules:
        where = f" for {endpoint}" if endpoint else ""
        return Reply.text(
            md(
                "No Model Monitor schedules{w}. Set one up in SageMaker to watch for drift.",
                w=where,
            )
        )
    since = datetime.fromtimestamp(deps.clock(), UTC) - timedelta(days=7)
    found = concurrently(lambda s: _schedule_runs(deps, s, since), schedules)
    found.sort(key=lambda s: (s.severity(), s.schedule.get("EndpointName", ""), s.kind))
    rows = []
    for s in found:
        violations, failed = s.count("CompletedWithViolations"), s.count("Failed")
        icon = (
            ":red_circle:"
            if s.latest == "CompletedWithViolations"
            else ":large_orange_circle:"
            if violations or failed
            else ":large_green_circle:"
        )
        row = md(
            "{i} {e} · {t} ({n}): {r} runs in 7 days, {v} with violations{f}{l}",
            i=Md(icon),
            e=bold(s.schedule.get("EndpointName", "?")),
            t=_KIND_WORDS.get(s.kind, s.kind),
            n=code(s.schedule["MonitoringScheduleName"]),
            r=len(s.runs),
            v=violations,
            f=md(", {x} failed", x=failed) if failed else md(""),
            l=md(" · last: {x}", x=s.latest) if s.runs else md(""),
        )
        if s.violations or s.unread:
            row = lines(row, md("    latest run: {x}", x=_findings(s)))
        rows.append(row)
    latest_bad = [s for s in found if s.latest == "CompletedWithViolations"]
    week_bad = sum(1 for s in found if s.count("CompletedWithViolations"))
    summary = (
        f"{week_bad} of {len(found)} monitoring schedules found violations this week"
        if week_bad
        else f"No violations in {len(found)} monitoring schedules this week"
    )
    blocks: list[Block] = [Header("Model Monitor, last 7 days")]
    if endpoint:
        blocks.append(Section(_drift_answer(endpoint, found)))
        named = sorted({v.name for s in latest_bad for v in s.violations})
        if named:
            summary = (
                f"{endpoint}: " + ", ".join(named[:8]) + f" violated in the latest run; {summary}"
            )
    elif latest_bad:
        blocks.append(
            Section(
                md(
                    "{n} of {t} schedules' latest run found violations, the most severe first.",
                    n=len(latest_bad),
                    t=len(found),
                )
            )
        )
    shown = cut(rows, max_rows=MONITOR_ROWS)
    body = list(shown.rows)
    files: list[FileOut] = []
    if shown.cut:
        attached = "model-monitor.csv"
        body.append(more_line(shown.more, "schedules, the cleanest", attached=attached))
        files.append(_monitor_csv(attached, found))
    blocks.append(Section(lines(*body)))
    blocks.append(
        Context(
            md(
                "From each schedule's latest {f} (data quality: features; model quality: metrics)",
                f=code(VIOLATIONS_FILE),
            )
        )
    )
    return Reply(summary=summary, blocks=tuple(blocks), files=tuple(files))


_KIND_WORDS = {
    "DataQuality": "data quality",
    "ModelQuality": "model quality",
    "ModelBias": "bias drift",
    "ModelExplainability": "feature attribution drift",
}


def _drift_answer(endpoint: str, found: list[ScheduleRuns]) -> Md:
    """'any drift on X?': the features (and metrics) the latest runs flagged, by name."""
    bad = [s for s in found if s.latest == "CompletedWithViolations"]
    if not bad:
        earlier = sum(s.count("CompletedWithViolations") for s in found)
        return md(
            ":large_green_circle: No violations in {e}'s latest monitoring runs{x}.",
            e=bold(endpoint),
            x=md(" ({n} earlier this week)", n=earlier) if earlier else md(""),
        )
    parts = []
    for s in bad:
        what = _KIND_WORDS.get(s.kind, s.kind)
        when = s.runs[0].get("ScheduledTime")
        stamp = f" ({when:%b %d %H:%M} UTC)" if isinstance(when, datetime) else ""
        parts.append(md("• {w}{t}: {f}", w=what.capitalize(), t=stamp, f=_findings(s, limit=12)))
    return lines(
        md(
            ":red_circle: Yes: the latest monitoring run on {e} found violations.", e=bold(endpoint)
        ),
        *parts,
    )


def _monitor_csv(filename: str, found: list[ScheduleRuns]) -> FileOut:
    return csv_file(
        filename,
        [
            "endpoint",
            "schedule",
            "type",
            "runs_7d",
            "with_violations",
            "failed",
            "last",
            "violations",
        ],
        [
            (
                s.schedule.get("EndpointName", ""),
                s.schedule["MonitoringScheduleName"],
                s.kind,
                len(s.runs),
                s.count("CompletedWithViolations"),
                s.count("Failed"),
                s.latest,
                "; ".join(f"{v.name}: {v.check}" for v in s.violations),
            )
            for s in found
        ],
    )


# ---------------------------------------------------------------------------- acting on findings


@router.intent("StopNotebook")
def stop_notebook(request: Request, deps: Deps) -> Proposal:
    """Stop a SageMaker notebook instance left running (its storage stays)."""
    name = check_name(request.slot("notebookName") or "", "notebook instance")
    sm = deps.aws.sagemaker
    try:
        notebook = sm.describe_notebook_instance(NotebookInstanceName=name)
    except ClientError as exc:
        if error_code(exc) not in ("ValidationException", "ResourceNotFound") and not is_not_found(
            exc
        ):
            raise
        raise NotFound(
            f"There is no notebook instance named {name}.",
            hint="Say 'what's sitting idle?' to see the ones left running.",
        ) from None
    status = notebook.get("NotebookInstanceStatus", "?")
    if status != "InService":
        raise InvalidInput(f"Notebook instance {name} is {status}: there is nothing to stop.")
    kind = notebook.get("InstanceType", "")
    price = hourly_price(kind, "hosting", region=deps.aws.region, pricing=pricing_client(deps))
    since = _as_time(notebook.get("LastModifiedTime") or notebook.get("CreationTime"))
    now = datetime.fromtimestamp(deps.clock(), UTC)
    found_tags = resource_tags(deps, notebook.get("NotebookInstanceArn", ""))
    details: dict[str, object] = {"Instance": kind or "?"}
    if since:
        details["Running since"] = f"{since:%b %d %H:%M} UTC ({(now - since).days} days)"
    if price:
        details["Saves"] = _saves(price.hourly_usd)
    return Proposal(
        title=f"Stop notebook {name}",
        summary=md(
            "Stop notebook instance {n}. Its storage volume and files stay; anyone can start it "
            "again, and unsaved work in open kernels is lost.",
            n=bold(name),
        ),
        details=fields(details),
        params={"notebook": name},
        risk=Risk(tags=found_tags),
    )


@router.executor("StopNotebook")
def run_stop_notebook(approved: Approved, deps: Deps) -> Reply:
    name = approved.params["notebook"]
    try:
        deps.aws.sagemaker.stop_notebook_instance(NotebookInstanceName=name)
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", "")).lower()
        if is_not_found(exc) or "recordnotfound" in message:
            return Reply.text(md("Notebook instance {n} is gone; nothing to stop.", n=bold(name)))
        if error_code(exc) == "ValidationException" and "status" in message:
            return Reply.text(
                md("Notebook instance {n} was already stopping or stopped.", n=bold(name))
            )
        raise
    return Reply.text(
        md(
            ":black_square_for_stop: Stopping notebook instance {n}; it takes a minute or two.",
            n=bold(name),
        )
    )


def _studio_app(deps: Deps, name: str, owner: str | None) -> Mapping[str, Any]:
    """The one running Studio app with this name (and space or user, when given)."""
    apps = [
        a
        for a in items(
            deps.aws.sagemaker.get_paginator("list_apps").paginate(
                PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("Apps", []),
        )
        if a.get("AppName") == name
        and a.get("Status") in ("InService", "Pending")
        and (owner is None or owner in (a.get("SpaceName"), a.get("UserProfileName")))
    ]
    if not apps:
        whose = f" in {owner}" if owner else ""
        raise NotFound(
            f"There is no running Studio app named {name}{whose}.",
            hint="Say 'what's sitting idle?' to see the idle ones.",
        )
    if len(apps) > 1:
        places = ", ".join(
            sorted({str(a.get("SpaceName") or a.get("UserProfileName")) for a in apps})
        )
        raise InvalidInput(
            f"{len(apps)} running Studio apps are named {name} (in {places}).",
            hint=f"Say which, e.g. “delete studio app {name} of {places.split(', ')[0]}”.",
        )
    return apps[0]


@router.intent("DeleteStudioApp")
def delete_studio_app(request: Request, deps: Deps) -> Proposal:
    """Delete a SageMaker Studio app (the space's files stay; unsaved kernels are lost)."""
    name = check_name(request.slot("appName") or "", "Studio app")
    owner = request.slot("owner")
    app = _studio_app(deps, name, check_name(owner, "space or user") if owner else None)
    key = _app_key(app)
    kind = app.get("ResourceSpec", {}).get("InstanceType", "")
    price = hourly_price(kind, "hosting", region=deps.aws.region, pricing=pricing_client(deps))
    where = app.get("SpaceName") or app.get("UserProfileName") or "?"
    details: dict[str, object] = {
        "App": f"{app.get('AppType', '?')} on {kind or '?'}",
        "Space" if app.get("SpaceName") else "User": where,
        "Domain": app.get("DomainId", "?"),
    }
    if price:
        details["Saves"] = _saves(price.hourly_usd)
    return Proposal(
        title=f"Delete Studio app {name}",
        summary=md(
            "Delete the Studio {t} app {n} in {w}. The space's files stay; unsaved work in its "
            "kernels is lost, and its owner can start a new app any time.",
            t=app.get("AppType", ""),
            n=bold(name),
            w=code(where),
        ),
        details=fields(details),
        params={"app": dict(key)},
    )


@router.executor("DeleteStudioApp")
def run_delete_studio_app(approved: Approved, deps: Deps) -> Reply:
    key = _app_key(approved.params["app"])
    try:
        deps.aws.sagemaker.delete_app(**key)
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", "")).lower()
        if is_not_found(exc) or "deleted" in message or "deleting" in message:
            return Reply.text(md("Studio app {n} was already deleted.", n=bold(key["AppName"])))
        raise
    return Reply.text(
        md(":wastebasket: Deleting the Studio app {n}; it takes a minute.", n=bold(key["AppName"]))
    )
