"""Endpoints: health from CloudWatch; deploy, invoke and delete."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.algorithms import aws_image_accounts
from intents.aws import (
    SAGEMAKER_PAGE,
    concurrently,
    error_code,
    is_not_found,
    items,
    listing,
    page_size,
    partial_note,
    summarize,
)
from intents.base import Approved, Progress, Request, unquote
from intents.charts import EndpointSeries, endpoint_chart
from intents.errors import InvalidInput, NotFound, UserError
from intents.guardrails import (
    MAX_PAYLOAD_BYTES,
    check_bucket,
    check_image,
    check_instance_count,
    check_instance_type,
    check_kms,
    instance_count_in,
    parse_s3,
)
from intents.metrics import (
    HEALTH_KEYS,
    TRAFFIC_KEYS,
    EndpointStats,
    EndpointTraffic,
    endpoint_stats,
    endpoint_traffic,
    variants_by_endpoint,
)
from intents.pricing import HOURS_PER_MONTH, hourly_price, money, pricing_client
from intents.registry import Router
from intents.reply import (
    Context,
    FileOut,
    Header,
    Md,
    Proposal,
    Reply,
    Risk,
    Section,
    bold,
    code,
    code_block,
    fields,
    lines,
    link,
    md,
)
from intents.resources import (
    check_name,
    console_url,
    describe,
    exists,
    job_name,
    made_for,
    resource_tags,
    search,
    tags,
    vpc_config,
)
from intents.settings import required
from intents.status import status_text
from intents.tables import csv_file, more_line

if TYPE_CHECKING:
    from types_boto3_sagemaker.type_defs import (
        CreateEndpointConfigInputTypeDef,
        ListEndpointsInputPaginateTypeDef,
    )

    from intents.deps import Deps

router = Router("endpoints")
log = logging.getLogger(__name__)

LATENCY_WARN_MS = 500.0
ERROR_RATE_BAD = 0.01  # 1 % of calls failing with 5xx
ERROR_RATE_4XX_WARN = 0.05
CHANGING = {"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"}
ICONS = {
    "unhealthy": ":red_circle:",
    "degraded": ":large_orange_circle:",
    "changing": ":large_blue_circle:",
    "idle": ":white_circle:",
    "healthy": ":large_green_circle:",
}
ORDER = ["unhealthy", "degraded", "changing", "idle", "healthy"]


@dataclass(frozen=True)
class Health:
    name: str
    status: str
    verdict: str  # one of ORDER
    reasons: tuple[str, ...]
    stats: EndpointStats


def judge(name: str, status: str, stats: EndpointStats) -> Health:
    reasons: list[str] = []
    if status in ("Failed", "OutOfService"):
        verdict = "unhealthy"
        reasons.append(f"status {status}")
    elif status in CHANGING:
        verdict = "changing"
    else:
        verdict = "healthy"
    if stats.errors_5xx and (stats.error_rate_5xx >= ERROR_RATE_BAD or stats.errors_5xx >= 50):
        verdict = "unhealthy"
        reasons.append(f"{stats.errors_5xx:,.0f} 5xx errors ({stats.error_rate_5xx:.1%})")
    latency = stats.latency_ms
    if latency is not None and latency >= LATENCY_WARN_MS:
        verdict = verdict if verdict == "unhealthy" else "degraded"
        reasons.append(f"model latency {latency:,.0f} ms")
    if stats.errors_4xx and stats.error_rate_4xx >= ERROR_RATE_4XX_WARN:
        verdict = verdict if verdict == "unhealthy" else "degraded"
        reasons.append(f"{stats.errors_4xx:,.0f} 4xx errors ({stats.error_rate_4xx:.1%})")
    if verdict == "healthy" and not stats.invocations:
        verdict = "idle"
    return Health(name, status, verdict, tuple(reasons), stats)


def _traffic_line(s: EndpointStats) -> Md:
    if not s.invocations:
        return md("no invocations")
    parts = [
        md("{n} invocations", n=f"{s.invocations:,.0f}"),
        md("{n} 5xx", n=f"{s.errors_5xx:,.0f}"),
        md("{n} 4xx", n=f"{s.errors_4xx:,.0f}"),
    ]
    if s.latency_ms is not None:
        parts.append(md("model latency {n} ms", n=f"{s.latency_ms:,.0f}"))
    return Md(" · ".join(parts))


def _window(deps: Deps, *, hours: float = 1) -> tuple[datetime, datetime]:
    end = datetime.fromtimestamp(deps.clock(), UTC).replace(second=0, microsecond=0)
    return end - timedelta(hours=hours), end


@router.intent("EndpointHealth")
def endpoint_health(request: Request, deps: Deps) -> Reply:
    """Status, last-hour traffic, errors and latency of every endpoint, unhealthy first."""
    name = request.slot("endpointName")
    if name:
        return _one_endpoint(check_name(name), deps)
    sagemaker, cloudwatch = deps.aws.sagemaker, deps.aws.cloudwatch
    listed = listing(
        items(
            sagemaker.get_paginator("list_endpoints").paginate(
                PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("Endpoints", []),
        )
    )
    endpoints = [(e["EndpointName"], e["EndpointStatus"]) for e in listed.found]
    if not endpoints:
        return Reply.text(md("There are no SageMaker endpoints in {r}.", r=deps.aws.region))
    start, end = _window(deps)
    known = variants_by_endpoint(cloudwatch)
    variants = {e: known.get(e, []) for e, _ in endpoints}
    # 5-minute series of every endpoint (the same queries as totals: 500 a call); the
    # totals are their sums, the charts of the endpoints that need attention their shape.
    traffic = endpoint_traffic(
        cloudwatch,
        {e: v for e, v in variants.items() if v},
        start=start,
        end=end,
        keys=HEALTH_KEYS,
    )
    stats = {e: t.stats for e, t in traffic.items()}
    health = [judge(e, status, stats.get(e, EndpointStats())) for e, status in endpoints]
    health.sort(key=lambda h: (ORDER.index(h.verdict), -h.stats.errors_5xx, h.name))
    bad = [h for h in health if h.verdict in ("unhealthy", "degraded")]
    headline = (
        md("{n} of {t} endpoints need attention.", n=len(bad), t=len(health))
        if bad
        else md("All {t} endpoints look healthy.", t=len(health))
    )
    rows = [
        lines(
            md(
                "{i} {n} ({s}){r}",
                i=Md(ICONS[h.verdict]),
                n=bold(h.name),
                s=h.status,
                r=md(": {x}", x="; ".join(h.reasons)) if h.reasons else md(""),
            ),
            _traffic_line(h.stats),
        )
        for h in health
    ]
    summary = (
        f"{len(bad)} of {len(health)} endpoints need attention: "
        + ", ".join(f"{h.name} ({'; '.join(h.reasons) or h.status})" for h in bad)
        if bad
        else f"All {len(health)} endpoints look healthy."
    )
    blocks: list[Any] = [Header("Endpoint health, last hour"), Section(headline)]
    if not listed.complete:
        blocks.append(Context(partial_note("endpoints", len(health))))
        summary += " (partial: AWS kept throttling the listing)"
    blocks += [Section(row) for row in rows[:MAX_ROWS]]
    files = [
        chart
        for h in bad[:MAX_CHARTS]
        if (chart := _chart(h.name, traffic.get(h.name), "last hour")) is not None
    ]
    if len(rows) > MAX_ROWS:
        attached = f"endpoint-health-{end:%Y%m%d-%H%M}.csv"
        blocks.append(Context(more_line(len(rows) - MAX_ROWS, "endpoints", attached=attached)))
        files.append(_health_csv(attached, health))
    if len(bad) > MAX_CHARTS:
        blocks.append(Context(md("Charts of the {n} that need attention most.", n=MAX_CHARTS)))
    blocks.append(
        Context(
            md(
                "CloudWatch AWS/SageMaker, {a}–{b} UTC · {r}",
                a=start.strftime("%H:%M"),
                b=end.strftime("%H:%M"),
                r=deps.aws.region,
            )
        )
    )
    return Reply(summary=summary, blocks=tuple(blocks), files=tuple(files))


MAX_ROWS = 20  # endpoints listed in the message; all of them in the CSV when there are more
MAX_CHARTS = 3  # charts of the endpoints that need attention, worst first


def _chart(name: str, traffic: EndpointTraffic | None, window: str) -> FileOut | None:
    if traffic is None:
        return None
    latency = traffic.series.get("latency_us", [])
    series = EndpointSeries(
        traffic.times,
        traffic.values("invocations"),
        traffic.values("errors_4xx"),
        traffic.values("errors_5xx"),
        [v / 1000 if v is not None else None for v in latency] or [None] * len(traffic.times),
    )
    return endpoint_chart(name, series, window=window)


def _health_csv(filename: str, health: list[Health]) -> FileOut:
    return csv_file(
        filename,
        [
            "endpoint",
            "status",
            "verdict",
            "reasons",
            "invocations",
            "5xx",
            "4xx",
            "model_latency_ms",
        ],
        [
            (
                h.name,
                h.status,
                h.verdict,
                "; ".join(h.reasons),
                f"{h.stats.invocations:.0f}",
                f"{h.stats.errors_5xx:.0f}",
                f"{h.stats.errors_4xx:.0f}",
                f"{h.stats.latency_ms:.0f}" if h.stats.latency_ms is not None else "",
            )
            for h in health
        ],
    )


def describe_endpoint(deps: Deps, name: str) -> dict[str, Any]:
    return describe(deps, "endpoint", name)


def _one_endpoint(name: str, deps: Deps) -> Reply:
    endpoint = describe_endpoint(deps, name)
    status = endpoint.get("EndpointStatus", "Unknown")
    variants = [v["VariantName"] for v in endpoint.get("ProductionVariants", [])] or ["AllTraffic"]
    start, end = _window(deps)
    traffic = endpoint_traffic(deps.aws.cloudwatch, {name: variants}, start=start, end=end).get(
        name
    )
    stats = traffic.stats if traffic else EndpointStats()
    health = judge(name, status, stats)
    chart = _chart(name, traffic, "last hour")
    config_name = endpoint.get("EndpointConfigName", "")
    instances = []
    try:
        config = deps.aws.sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        by_variant = {v["VariantName"]: v for v in config.get("ProductionVariants", [])}
    except ClientError:
        by_variant = {}
    for v in endpoint.get("ProductionVariants", []):
        spec = by_variant.get(v["VariantName"])
        initial = spec.get("InitialInstanceCount", "?") if spec else "?"
        kind = spec.get("InstanceType", "serverless") if spec else "serverless"
        count = v.get("CurrentInstanceCount", initial)
        instances.append(f"{v['VariantName']}: {kind} × {count}")
    created = endpoint.get("CreationTime")
    info = {
        "Status": md("{i} {s}", i=Md(ICONS[health.verdict]), s=status),
        "Configuration": code(config_name) if config_name else md("–"),
        "Variants": "\n".join(instances) or "–",
        "Invocations (1 h)": f"{stats.invocations:,.0f}",
        "5xx errors": f"{stats.errors_5xx:,.0f}"
        + (f" ({stats.error_rate_5xx:.1%})" if stats.invocations else ""),
        "4xx errors": f"{stats.errors_4xx:,.0f}",
        "Model latency": f"{stats.latency_ms:,.0f} ms avg"
        if stats.latency_ms is not None
        else "no data",
        "Overhead latency": f"{stats.overhead_us / 1000:,.0f} ms avg"
        if stats.overhead_us is not None
        else "no data",
    }
    if created:
        info["Created"] = created.strftime("%Y-%m-%d %H:%M UTC")
    blocks: list[Any] = [Header(f"Endpoint {name}")]
    if health.reasons:
        blocks.append(Section(md(":warning: {r}", r="; ".join(health.reasons))))
    if endpoint.get("FailureReason"):
        blocks.append(Section(md("*Failure reason:* {r}", r=endpoint["FailureReason"])))
    blocks.append(Section(fields=fields(info)))
    blocks.append(
        Context(
            md(
                "CloudWatch, {a}–{b} UTC{c}",
                a=start.strftime("%H:%M"),
                b=end.strftime("%H:%M"),
                c="" if chart else " · no chart: no traffic in the last hour",
            )
        )
    )
    summary = f"{name}: {status}, " + (
        "; ".join(health.reasons) if health.reasons else health.verdict
    )
    return Reply(summary=summary, blocks=tuple(blocks), files=(chart,) if chart else ())


# ---------------------------------------------------------------------------- DeployModel


@router.intent("DeployModel", requires=("sagemaker_role_arn",))
def deploy_model(request: Request, deps: Deps) -> Proposal:
    """Deploy a model (a completed training job's, or an Autopilot job's best candidate) to a new real-time endpoint."""
    settings = deps.settings
    asked = check_name(request.slot("modelName") or "", "model")
    name, based_on = asked, asked  # the model deployed; what the endpoint is named after
    model = exists(deps, "model", name)
    create: dict[str, Any] | None = None
    candidate: dict[str, Any] | None = None
    if model is None:
        # Not a model: maybe a completed training job, whose artifacts we can deploy, or a
        # finished Autopilot job, whose best candidate we can.
        job = exists(deps, "training", name)
        if job is None:
            candidate = _best_candidate(deps, name)
            if candidate is None:
                try:
                    describe(deps, "model", name)
                except NotFound as missing:
                    raise NotFound(
                        f"There is no model, training job or Autopilot job named {name}.",
                        hint=missing.hint,
                    ) from None
            assert candidate is not None
            name = str(candidate["CandidateName"])
            model = exists(deps, "model", name)  # deployed before: its model is there already
            if model is None:
                create = {
                    "containers": [
                        {
                            "Image": c["Image"],
                            "ModelDataUrl": c.get("ModelDataUrl", ""),
                            "Environment": dict(c.get("Environment") or {}),
                        }
                        for c in candidate.get("InferenceContainers", [])
                    ],
                }
        else:
            if job.get("TrainingJobStatus") != "Completed":
                raise InvalidInput(
                    f"{name} is a training job that is {status_text(job.get('TrainingJobStatus'))}; "
                    "only a completed job's model can be deployed."
                )
            create = {
                "image": job["AlgorithmSpecification"]["TrainingImage"],
                "artifacts": job["ModelArtifacts"]["S3ModelArtifacts"],
            }
    # What would serve: its data must sit in an allowed bucket, its image in a trusted
    # registry, and an encryption rule must hold before any card is shown.
    check_kms(settings)
    for image, data in _containers(model, create):
        if data:
            check_bucket(parse_s3(data, "model artifacts"), settings, "model artifacts")
        check_image(
            image,
            settings,
            own_account=deps.aws.account_id(),
            aws_accounts=aws_image_accounts(deps.aws.region),
        )
    instance = check_instance_type(
        request.slot("instanceType") or settings.default_endpoint_instance, settings, "hosting"
    )
    count = check_instance_count(instance_count_in(request.text), settings)
    # <model>-<when>-<id> (one timestamp, also for a job's model): readable, stable for a
    # repeated delivery
    endpoint = job_name(based_on, request)
    price = hourly_price(instance, "hosting", region=deps.aws.region, pricing=pricing_client(deps))
    hourly = price.hourly_usd * count if price else None
    cost = (
        md(
            "{h}/h, about {m}/month while it runs ({s})",
            h=bold(money(hourly)),
            m=money(hourly * HOURS_PER_MONTH),
            s=price.source,
        )
        if price and hourly is not None
        else md("unknown")
    )
    if create and "containers" in create:
        steps = [
            md(
                "create model {m} from the candidate's {n} containers",
                m=code(name),
                n=len(create["containers"]),
            )
        ]
    elif create:
        steps = [md("create model {m} from {a}", m=code(name), a=code(create["artifacts"]))]
    else:
        steps = []
    steps += [
        md("create endpoint configuration {c}", c=code(f"{endpoint}-config")),
        md("create endpoint {e}", e=code(endpoint)),
    ]
    metric = (candidate or {}).get("FinalAutoMLJobObjectiveMetric") or {}
    return Proposal(
        title=f"Deploy the best candidate of {asked}" if candidate else f"Deploy {name}",
        summary=md(
            "Deploy {m} to a new real-time endpoint {e} on {i} × {n}.",
            m=md(
                "{c}, the best candidate of Autopilot job {j}{v},",
                c=bold(name),
                j=code(asked),
                v=md(" ({k} = {x})", k=metric.get("MetricName", "?"), x=f"{metric['Value']:.4f}")
                if "Value" in metric
                else md(""),
            )
            if candidate
            else bold(name),
            e=code(endpoint),
            i=instance,
            n=count,
        ),
        details=fields(
            {
                "Steps": lines(*[md("{i}. {s}", i=i + 1, s=step) for i, step in enumerate(steps)]),
                "Instances": f"{instance} × {count}",
                "Cost": cost,
            }
        ),
        params={
            "model": name,
            "create_model": create,
            "endpoint": endpoint,
            "config": f"{endpoint}-config",
            "instance_type": instance,
            "instance_count": count,
        },
        # An endpoint runs until deleted: a month of it is the worst case worth naming.
        risk=Risk(cost_usd=hourly * HOURS_PER_MONTH if hourly is not None else None),
    )


def _best_candidate(deps: Deps, name: str) -> dict[str, Any] | None:
    """The best candidate of the finished Autopilot job *name*; None when there is no
    Autopilot job of that name."""
    try:
        job = deps.aws.sagemaker.describe_auto_ml_job_v2(AutoMLJobName=name)
    except ClientError as exc:
        if is_not_found(exc) or error_code(exc) == "ValidationException":
            return None
        raise
    status = job.get("AutoMLJobStatus")
    best = job.get("BestCandidate")
    if status != "Completed" or not best:
        raise InvalidInput(
            f"{name} is an Autopilot job that is {status_text(status)}; only a completed "
            "job's best candidate can be deployed.",
            hint=f"Ask 'how is {name} doing?' to follow it.",
        )
    if not best.get("InferenceContainers"):
        raise InvalidInput(f"Autopilot did not say which containers {name}'s best candidate runs.")
    return dict(best)


def _containers(
    model: dict[str, Any] | None, create: dict[str, Any] | None
) -> list[tuple[str, str]]:
    """(image, model data URL) of each container a deployment would run."""
    if create is not None and "containers" in create:
        return [(str(c["Image"]), str(c.get("ModelDataUrl", ""))) for c in create["containers"]]
    if create is not None:
        return [(create["image"], create["artifacts"])]
    assert model is not None
    containers = (
        [model["PrimaryContainer"]]
        if model.get("PrimaryContainer")
        else model.get("Containers", [])
    )
    return [(str(c.get("Image", "")), str(c.get("ModelDataUrl", ""))) for c in containers]


@router.executor("DeployModel")
def run_deploy_model(approved: Approved, deps: Deps) -> Reply:
    p, settings, sm = approved.params, deps.settings, deps.aws.sagemaker
    created: list[tuple[str, str]] = []
    step = ""
    try:
        if p["create_model"]:
            step = f"creating model {p['model']}"
            if _create_once(
                deps,
                approved,
                "model",
                p["model"],
                lambda: (
                    sm.create_model(
                        ModelName=p["model"],
                        ExecutionRoleArn=required(
                            settings.sagemaker_role_arn, "sagemaker_role_arn"
                        ),
                        Containers=p["create_model"]["containers"],
                        Tags=tags(approved),
                        **vpc_config(deps),
                    )
                    if "containers" in p["create_model"]
                    else sm.create_model(
                        ModelName=p["model"],
                        ExecutionRoleArn=required(
                            settings.sagemaker_role_arn, "sagemaker_role_arn"
                        ),
                        PrimaryContainer={
                            "Image": p["create_model"]["image"],
                            "ModelDataUrl": p["create_model"]["artifacts"],
                        },
                        Tags=tags(approved),
                        **vpc_config(deps),
                    )
                ),
            ):
                created.append(("model", p["model"]))
        step = f"creating endpoint configuration {p['config']}"
        config: CreateEndpointConfigInputTypeDef = {
            "EndpointConfigName": p["config"],
            "Tags": tags(approved),
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": p["model"],
                    "InstanceType": p["instance_type"],
                    "InitialInstanceCount": p["instance_count"],
                    "InitialVariantWeight": 1.0,
                }
            ],
        }
        if settings.kms_key_id:
            config["KmsKeyId"] = settings.kms_key_id
        if _create_once(
            deps,
            approved,
            "endpoint configuration",
            p["config"],
            lambda: sm.create_endpoint_config(**config),
        ):
            created.append(("endpoint configuration", p["config"]))
        step = f"creating endpoint {p['endpoint']}"
        _create_once(
            deps,
            approved,
            "endpoint",
            p["endpoint"],
            lambda: sm.create_endpoint(
                EndpointName=p["endpoint"], EndpointConfigName=p["config"], Tags=tags(approved)
            ),
        )
    except ClientError as exc:
        raise UserError(
            f"Deploying stopped while {step} ({summarize(exc)}).",
            hint=_clean_up(deps, created),
        ) from None
    deps.follow_approved(approved, "endpoint", p["endpoint"])
    return Reply(
        summary=f"Creating endpoint {p['endpoint']}",
        blocks=(
            Section(
                md(
                    ":rocket: Creating endpoint {e} for {m}. Endpoints take a few minutes; I'll say here when "
                    "it is in service.",
                    e=bold(p["endpoint"]),
                    m=code(p["model"]),
                )
            ),
            Context(
                link(console_url(deps, "endpoints", p["endpoint"]), "Open in the SageMaker console")
            ),
        ),
    )


def _create_once(
    deps: Deps, approved: Approved, kind: str, name: str, create: Callable[[], object]
) -> bool:
    """Create a resource the plan names; True when this call created it. If it exists
    already and was made for this approval (a run cut short by a restart), carry on; if
    it is someone else's, that is an error."""
    try:
        create()
        return True
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", "")).lower()
        if "already exist" not in message and error_code(exc) not in ("ResourceInUse",):
            raise
        if not made_for(deps, _arn(deps, kind, name), approved):
            raise
        log.info("%s %s exists from an earlier run of this plan; carrying on", kind, name)
        return False


def _arn(deps: Deps, kind: str, name: str) -> str:
    sm = deps.aws.sagemaker
    if kind == "model":
        return sm.describe_model(ModelName=name)["ModelArn"]
    if kind == "endpoint configuration":
        return sm.describe_endpoint_config(EndpointConfigName=name)["EndpointConfigArn"]
    return sm.describe_endpoint(EndpointName=name)["EndpointArn"]


def _clean_up(deps: Deps, created: list[tuple[str, str]]) -> str:
    """Undo what a failed deploy created, newest first; say exactly what is left."""
    removed, left = [], []
    for kind, name in reversed(created):
        try:
            if kind == "model":
                deps.aws.sagemaker.delete_model(ModelName=name)
            else:
                deps.aws.sagemaker.delete_endpoint_config(EndpointConfigName=name)
            removed.append(f"{kind} {name}")
        except ClientError:
            left.append(f"{kind} {name}")
    parts = []
    if removed:
        parts.append("I removed what I had created (" + ", ".join(removed) + ").")
    if left:
        parts.append("These still exist and need removing: " + ", ".join(left) + ".")
    return " ".join(parts) or "Nothing had been created."


@router.follower("endpoint")
def follow_endpoint(name: str, deps: Deps) -> Progress:
    endpoint = describe_endpoint(deps, name)
    status = endpoint.get("EndpointStatus", "?")
    if status == "InService":
        return Progress(
            status,
            terminal=True,
            reply=Reply.text(
                md(
                    ":large_green_circle: Endpoint {n} is in service. Try {c}",
                    n=bold(name),
                    c=code(f"predict 1,2,3 with {name}"),
                )
            ),
        )
    if status in ("Failed", "OutOfService"):
        return Progress(
            status,
            terminal=True,
            reply=Reply.text(
                md(
                    ":red_circle: Endpoint {n} is {s}: {r}",
                    n=bold(name),
                    s=status,
                    r=endpoint.get("FailureReason", "no reason given"),
                )
            ),
        )
    return Progress(
        status,
        reply=Reply.text(md(":large_blue_circle: Endpoint {n}: {s}", n=bold(name), s=status)),
    )


# ---------------------------------------------------------------------------- DeleteEndpoint


# Search's index may not have caught up with the newest changes: endpoints changed this
# recently are described too before a configuration is called unshared.
SEARCH_LAG = timedelta(minutes=15)


def _sharing(deps: Deps, config: str, but: str) -> list[str]:
    """Other endpoints that use the configuration *config*: one Search by configuration, and
    the endpoints changed in the last minutes described; every endpoint described where the
    role may not Search."""
    sm = deps.aws.sagemaker
    found = search(sm, "Endpoint", "EndpointConfigName", config)
    users = {r["Endpoint"]["EndpointName"] for r in found or () if "Endpoint" in r}
    since = datetime.fromtimestamp(deps.clock(), UTC) - SEARCH_LAG
    query: ListEndpointsInputPaginateTypeDef = {"PaginationConfig": page_size(SAGEMAKER_PAGE)}
    if found is not None:
        query["LastModifiedTimeAfter"] = since
    others = [
        e["EndpointName"]
        for e in items(
            sm.get_paginator("list_endpoints").paginate(**query),
            lambda p: p.get("Endpoints", []),
        )
        if e["EndpointName"] != but and e["EndpointName"] not in users
    ]

    def config_of(name: str) -> str | None:
        try:
            return sm.describe_endpoint(EndpointName=name).get("EndpointConfigName")
        except ClientError:
            return None

    users.update(
        o for o, c in zip(others, concurrently(config_of, others), strict=True) if c == config
    )
    users.discard(but)
    return sorted(users)


@router.intent("DeleteEndpoint")
def delete_endpoint(request: Request, deps: Deps) -> Proposal:
    """Delete an endpoint, and its configuration unless another endpoint uses it."""
    name = check_name(request.slot("endpointName") or "")
    endpoint = describe_endpoint(deps, name)
    config = endpoint.get("EndpointConfigName", "")
    shared = _sharing(deps, config, name)
    start, end = _window(deps, hours=24)
    variants = [v["VariantName"] for v in endpoint.get("ProductionVariants", [])] or ["AllTraffic"]
    stats = endpoint_stats(
        deps.aws.cloudwatch, {name: variants}, start=start, end=end, keys=TRAFFIC_KEYS
    ).get(name, EndpointStats())
    found_tags = resource_tags(deps, endpoint.get("EndpointArn", ""))
    keep = md("kept: also used by {e}", e=", ".join(shared)) if shared else md("deleted too")
    details: dict[str, object] = {
        "Configuration": md("{c} ({k})", c=code(config), k=keep),
        "Invocations, last 24 h": f"{stats.invocations:,.0f}",
    }
    shown_tags = {k: v for k, v in found_tags.items() if not k.startswith(("chatops:", "aws:"))}
    if shown_tags:
        details["Tags"] = ", ".join(f"{k}={v}" for k, v in sorted(shown_tags.items()))
    return Proposal(
        title=f"Delete endpoint {name}",
        summary=md(
            "Delete endpoint {n} ({s}). Anything calling it will get errors.",
            n=bold(name),
            s=endpoint.get("EndpointStatus", "?"),
        ),
        details=fields(details),
        warning=md(
            ":warning: It served {n} requests in the last 24 h.", n=f"{stats.invocations:,.0f}"
        )
        if stats.invocations
        else None,
        params={"endpoint": name, "config": config},
        risk=Risk(served=stats.invocations, tags=found_tags),
    )


@router.executor("DeleteEndpoint")
def run_delete_endpoint(approved: Approved, deps: Deps) -> Reply:
    name, config = approved.params["endpoint"], approved.params["config"]
    try:
        deps.aws.sagemaker.delete_endpoint(EndpointName=name)
    except ClientError as exc:
        if not is_not_found(exc):
            raise
        return Reply.text(md("Endpoint {n} was already gone; nothing to delete.", n=bold(name)))
    # Checked again now: someone may have pointed another endpoint at it meanwhile.
    shared = _sharing(deps, config, name) if config else []
    if config and not shared:
        try:
            deps.aws.sagemaker.delete_endpoint_config(EndpointConfigName=config)
            config_note = md("and its configuration {c}", c=code(config))
        except ClientError as exc:
            if not is_not_found(exc):
                raise
            config_note = md("(its configuration was already gone)")
    else:
        config_note = md(
            "(kept configuration {c}: used by {e})", c=code(config), e=", ".join(shared) or "–"
        )
    return Reply.text(md(":wastebasket: Deleted endpoint {n} {c}.", n=bold(name), c=config_note))


# ---------------------------------------------------------------------------- InvokeEndpoint


def content_type_of(payload: str) -> str:
    text = payload.strip()
    if text[:1] in "{[":
        try:
            json.loads(text)
            return "application/json"
        except ValueError:
            raise InvalidInput(
                "The payload looks like JSON but isn't valid JSON.",
                hint='Check the quotes and brackets, e.g. {"amount": 120}.',
            ) from None
    return "text/csv"


def _prediction(body: bytes, content_type: str) -> tuple[Md, str]:
    text = body.decode("utf-8", errors="replace").strip()
    if "json" in content_type:
        try:
            pretty = json.dumps(json.loads(text), indent=2)[:2500]
            return code_block(pretty), text[:200]
        except ValueError:
            pass
    rows = [r for r in text.splitlines() if r.strip()]
    if len(rows) == 1 and len(rows[0]) < 120:
        return md("Prediction: {p}", p=bold(rows[0])), rows[0]
    return code_block("\n".join(rows)[:2500]), text[:200]


@router.intent("InvokeEndpoint")
def invoke_endpoint(request: Request, deps: Deps) -> Reply:
    """Send a CSV row or a JSON document to an endpoint and show its prediction."""
    name = check_name(request.slot("endpointName") or "")
    payload = unquote(request.slot("payload") or "")
    if not payload:
        raise InvalidInput(
            "There is nothing to send.",
            hint="Give a CSV row like 5.1,3.5,1.4,0.2 or a JSON document.",
        )
    data = payload.encode("utf-8")
    if len(data) > MAX_PAYLOAD_BYTES:
        raise InvalidInput(
            f"The payload is {len(data) / 1_048_576:.1f} MB; an endpoint takes at most 6 MB.",
            hint="Send fewer rows, or use batch transform for large inputs.",
        )
    content_type = content_type_of(payload)
    start = time.perf_counter()
    try:
        response = deps.aws.sagemaker_runtime.invoke_endpoint(
            EndpointName=name, ContentType=content_type, Accept=content_type, Body=data
        )
    except ClientError as exc:
        code_ = error_code(exc)
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if code_ in ("ValidationError", "ValidationException") and "not found" in message.lower():
            describe_endpoint(deps, name)  # raises NotFound, with close names
            raise NotFound(f"There is no endpoint named {name}.") from None
        if code_ == "ModelError":
            # The container's own output can hold anything (stack traces, data): log only.
            status = exc.response.get("OriginalStatusCode", "?")
            log.warning("the model on %s answered %s: %s", name, status, message)
            raise UserError(
                f"The model on {name} returned an error (its container answered HTTP {status}).",
                hint="Check the payload's format and number of features; the container's "
                "message is in the bot's log under this request id.",
            ) from None
        if code_ in ("ValidationError", "ValidationException"):
            raise UserError(f"{name} did not accept the request ({summarize(exc)}).") from None
        raise
    took = (time.perf_counter() - start) * 1000
    body = response["Body"].read()
    shown, summary = _prediction(body, response.get("ContentType", content_type))
    return Reply(
        summary=f"{name}: {summary}",
        blocks=(
            Section(md("*{n}* says:", n=name)),
            Section(shown),
            Context(
                md(
                    "sent {t} ({b} bytes) · variant {v} · {ms} ms",
                    t=content_type,
                    b=len(data),
                    v=response.get("InvokedProductionVariant", "?"),
                    ms=f"{took:,.0f}",
                )
            ),
        ),
    )
