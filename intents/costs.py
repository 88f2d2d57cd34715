"""Cost and monitoring: Cost Explorer, Budgets, idle resources, Model Monitor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.aws import (
    BUDGETS_PAGE,
    SAGEMAKER_PAGE,
    concurrently,
    items,
    listing,
    page_size,
    partial_note,
)
from intents.base import Request
from intents.errors import InvalidInput, NotFound
from intents.metrics import TRAFFIC_KEYS, EndpointStats, endpoint_stats, variants_by_endpoint
from intents.pricing import hourly_price, money, pricing_client
from intents.registry import Router
from intents.reply import Context, Header, Md, Reply, Section, bold, code, fields, lines, md
from intents.resources import check_name, search

if TYPE_CHECKING:
    from types_boto3_budgets.type_defs import SpendTypeDef
    from types_boto3_ce import CostExplorerClient
    from types_boto3_ce.type_defs import GetCostAndUsageRequestTypeDef
    from types_boto3_pricing import PricingClient
    from types_boto3_sagemaker.type_defs import (
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
    total: float
    by_service: dict[str, float]
    estimated: bool


def costs(ce: CostExplorerClient, start: date, end: date, service: str | None = None) -> Costs:
    """Unblended cost per service over [start, end), every page of Cost Explorer's answer."""
    request: GetCostAndUsageRequestTypeDef = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": "MONTHLY" if (end - start).days > 31 else "DAILY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    if service:
        request["Filter"] = {"Dimensions": {"Key": "SERVICE", "Values": [CE_SERVICES[service]]}}
    by_service: dict[str, float] = {}
    estimated = False
    token = None
    while True:
        if token:
            request["NextPageToken"] = token
        page = ce.get_cost_and_usage(**request)
        for result in page.get("ResultsByTime", []):
            estimated = estimated or bool(result.get("Estimated"))
            for group in result.get("Groups", []):
                name = group["Keys"][0]
                amount = float(group["Metrics"]["UnblendedCost"]["Amount"])
                by_service[name] = by_service.get(name, 0.0) + amount
        token = page.get("NextPageToken")
        if not token:
            break
    return Costs(sum(by_service.values()), by_service, estimated)


@router.intent("CostReport")
def cost_report(request: Request, deps: Deps) -> Reply:
    """What the account spent in a period, by service, against the period before."""
    period = request.slot("period") or "this_month"
    service = request.slot("service")
    if period not in PERIOD_TITLES or (service and service not in CE_SERVICES):
        raise InvalidInput(
            "I can report today, yesterday, this or last week, this or last month, for one of "
            + ", ".join(CE_SERVICES)
            + "."
        )
    ce = deps.aws.ce
    start, end = period_range(period, _today(deps))
    now = costs(ce, start, end, service)
    length = end - start
    before = costs(ce, start - length, start, service)
    what = f"{CE_SERVICES[service]} " if service else ""
    title = f"{what}costs {PERIOD_TITLES[period]}"
    change = md("")
    if before.total > 0.01:
        delta = (now.total - before.total) / before.total
        change = md(
            " ({a} {p:.0%} vs the {n} days before)",
            a="up" if delta >= 0 else "down",
            p=abs(delta),
            n=length.days,
        )
    blocks: list[Any] = [
        Header(title[0].upper() + title[1:]),
        Section(md("{t} spent {w}{c}.", t=bold(money(now.total)), w=_span(start, end), c=change)),
    ]
    if not service and now.by_service:
        top = sorted(now.by_service.items(), key=lambda kv: -kv[1])
        rows = [
            (name, money(amount) + (f" ({amount / now.total:.0%})" if now.total else ""))
            for name, amount in top[:10]
        ]
        blocks.append(Section(fields=fields(rows)))
    blocks.append(
        Context(
            md(
                "Cost Explorer, unblended, USD{e}",
                e=" · includes estimated costs" if now.estimated else "",
            )
        )
    )
    return Reply(summary=f"{title}: {money(now.total)}", blocks=tuple(blocks))


def _span(start: date, end: date) -> str:
    last = end - timedelta(days=1)
    return f"on {start:%b %d}" if start == last else f"from {start:%b %d} to {last:%b %d}"


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
        forecast = _amount(spend.get("ForecastedSpend") if spend else None)
        used = actual / limit if limit else 0.0
        rows.append(
            (used, budget["BudgetName"], limit, actual, forecast, budget.get("TimeUnit", ""))
        )
    rows.sort(key=lambda r: -r[0])
    lines_: list[Md] = []
    for used, name_, limit, actual, forecast, unit in rows:
        icon = (
            ":red_circle:"
            if used >= 1
            else ":large_orange_circle:"
            if used >= 0.8
            else ":large_green_circle:"
        )
        line = md(
            "{i} {n} ({u}): {a} of {l} used ({p:.0%})",
            i=Md(icon),
            n=bold(name_),
            u=unit.lower(),
            a=money(actual),
            l=money(limit),
            p=used,
        )
        if forecast is not None and limit and forecast > limit:
            line = line + md(
                " · forecast {f}, over by {o}", f=money(forecast), o=money(forecast - limit)
            )
        lines_.append(line)
    over = sum(1 for r in rows if r[0] >= 0.8)
    summary = (
        f"{over} of {len(rows)} budgets at 80% or more"
        if over
        else f"All {len(rows)} budgets under 80%"
    )
    return Reply(
        summary=summary,
        blocks=(
            Header("AWS Budgets"),
            Section(lines(*lines_)),
            Context(md("Budgets update a few times a day")),
        ),
    )


# ---------------------------------------------------------------------------- idle resources

NOTEBOOK_IDLE = timedelta(days=1)
STARTING_TOO_LONG = timedelta(hours=1)
# Of each kind, the findings shown (more would not fit in a message); the rest are counted.
# Only the endpoints shown are described and priced: one call per finding reported.
MAX_SHOWN = 10


@router.intent("IdleResources")
def idle_resources(request: Request, deps: Deps) -> Reply:
    """Endpoints with no traffic in a day, notebooks left running, and jobs that look stuck."""
    now = datetime.fromtimestamp(deps.clock(), UTC)
    pricing = pricing_client(deps)
    findings: list[Md] = []
    waste = 0.0

    partial: list[Md] = []  # what a listing AWS kept throttling left out
    idle = _quiet_endpoints(deps, now, partial)
    hourly = _endpoints_hourly(deps, idle[:MAX_SHOWN], pricing)
    waste += sum(hourly.values())
    for name in idle[:MAX_SHOWN]:
        findings.append(
            md(
                ":white_circle: Endpoint {n}: no invocations in 24 h{c}",
                n=bold(name),
                c=md(", costs {h}/h", h=money(hourly[name])) if hourly[name] else md(""),
            )
        )
    if len(idle) > MAX_SHOWN:
        findings.append(
            md(
                ":white_circle: …and {n} more endpoints with no invocations in 24 h",
                n=f"{len(idle) - MAX_SHOWN:,}",
            )
        )

    notebooks = _notebooks_left_running(deps, now, partial)
    for i, notebook in enumerate(notebooks):
        price = hourly_price(
            notebook.get("InstanceType", ""), "hosting", region=deps.aws.region, pricing=pricing
        )
        waste += price.hourly_usd if price else 0.0  # priced from the listing: no call each
        if i >= MAX_SHOWN:
            continue
        since = _as_time(notebook.get("LastModifiedTime") or notebook.get("CreationTime"))
        days = (now - since).days if since else None
        findings.append(
            md(
                ":notebook: Notebook {n} ({i}) running{d}{c}",
                n=bold(notebook["NotebookInstanceName"]),
                i=notebook.get("InstanceType", "?"),
                d=md(" for {x} days", x=days) if days else md(""),
                c=md(", about {h}/h", h=money(price.hourly_usd)) if price else md(""),
            )
        )
    if len(notebooks) > MAX_SHOWN:
        findings.append(
            md(":notebook: …and {n} more notebooks left running", n=len(notebooks) - MAX_SHOWN)
        )

    stuck = _stuck_training_jobs(deps, now, partial)
    findings += stuck[:MAX_SHOWN]
    if len(stuck) > MAX_SHOWN:
        findings.append(
            md(":hourglass: …and {n} more training jobs that look stuck", n=len(stuck) - MAX_SHOWN)
        )
    if not findings and not partial:
        return Reply.text(
            md(
                ":sparkles: Nothing idle: every endpoint had traffic, no notebook is left running, "
                "no job looks stuck."
            )
        )
    if not findings:
        findings.append(md(":sparkles: Nothing idle among what could be listed."))
    count = len(idle) + len(notebooks) + len(stuck)
    monthly = money(waste * 24 * 30)
    unpriced = len(idle) - MAX_SHOWN
    if unpriced <= 0:
        summary = f"{count} idle or stuck resources, about {monthly}/month"
        cost = md(
            "Idle endpoints and notebooks cost about {m}/month at on-demand prices", m=bold(monthly)
        )
    else:
        summary = f"{count} idle or stuck resources, at least {monthly}/month"
        cost = md(
            "The endpoints shown and the idle notebooks cost about {m}/month at on-demand prices; "
            "the other {u} idle endpoints are not priced",
            m=bold(monthly),
            u=f"{unpriced:,}",
        )
    if partial:
        summary += " (partial: AWS kept throttling a listing)"
    return Reply(
        summary=summary,
        blocks=(
            Header("Idle and stuck resources"),
            Section(lines(*findings)),
            Context(cost),
            *(Context(note) for note in partial),
        ),
    )


def _quiet_endpoints(deps: Deps, now: datetime, partial: list[Md]) -> list[str]:
    """Endpoints in service with no invocations in 24 h: one listing and the metrics batch."""
    listed = listing(
        items(
            deps.aws.sagemaker.get_paginator("list_endpoints").paginate(
                StatusEquals="InService", PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("Endpoints", []),
        )
    )
    endpoints = [e["EndpointName"] for e in listed.found]
    if not listed.complete:
        partial.append(partial_note("endpoints", len(endpoints)))
    known = variants_by_endpoint(deps.aws.cloudwatch)
    stats = endpoint_stats(
        deps.aws.cloudwatch,
        {e: known[e] for e in endpoints if e in known},
        start=now - timedelta(days=1),
        end=now,
        keys=TRAFFIC_KEYS,
    )
    return [e for e in endpoints if not stats.get(e, EndpointStats()).invocations]


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


def _stuck_training_jobs(deps: Deps, now: datetime, partial: list[Md]) -> list[Md]:
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
            stuck.append(
                md(
                    ":hourglass: Training job {n} {s} for {h:.1f} h{l}",
                    n=bold(job["TrainingJobName"]),
                    s=secondary.lower() or "running",
                    h=running.total_seconds() / 3600,
                    l=md(" (limit {x:.0f} h)", x=limit / 3600) if limit else md(""),
                )
            )
    return stuck


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


@router.intent("MonitorSummary")
def monitor_summary(request: Request, deps: Deps) -> Reply:
    """Model Monitor schedules, their latest runs and constraint violations."""
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
    rows, with_violations = [], 0
    for schedule in sorted(schedules, key=lambda s: s.get("EndpointName", "")):
        name = schedule["MonitoringScheduleName"]
        runs = list(
            items(
                sm.get_paginator("list_monitoring_executions").paginate(
                    MonitoringScheduleName=name,
                    ScheduledTimeAfter=since,
                    SortBy="ScheduledTime",
                    SortOrder="Descending",
                    PaginationConfig=page_size(SAGEMAKER_PAGE, limit=50),
                ),
                lambda p: p.get("MonitoringExecutionSummaries", []),
                limit=50,
            )
        )
        violations = sum(
            1 for r in runs if r.get("MonitoringExecutionStatus") == "CompletedWithViolations"
        )
        failed = sum(1 for r in runs if r.get("MonitoringExecutionStatus") == "Failed")
        last = runs[0] if runs else None
        icon = (
            ":red_circle:"
            if violations
            else ":large_orange_circle:"
            if failed
            else ":large_green_circle:"
        )
        with_violations += bool(violations)
        rows.append(
            md(
                "{i} {e} · {n} ({t}): {r} runs in 7 days, {v} with violations{f}{l}",
                i=Md(icon),
                e=bold(schedule.get("EndpointName", "?")),
                n=code(name),
                t=schedule.get("MonitoringType", "DataQuality"),
                r=len(runs),
                v=violations,
                f=md(", {x} failed", x=failed) if failed else md(""),
                l=md(" · last: {s}", s=last["MonitoringExecutionStatus"]) if last else md(""),
            )
        )
    summary = (
        f"{with_violations} of {len(schedules)} monitoring schedules found violations this week"
        if with_violations
        else f"No violations in {len(schedules)} monitoring schedules this week"
    )
    return Reply(
        summary=summary, blocks=(Header("Model Monitor, last 7 days"), Section(lines(*rows)))
    )
