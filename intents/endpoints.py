"""Endpoints: health from CloudWatch; deploy, invoke and delete."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.aws import is_not_found, paginate
from intents.base import InvalidInput, NotFound, Request, Router
from intents.metrics import EndpointStats, endpoint_stats, variants_by_endpoint
from intents.reply import Context, Header, Md, Reply, Section, bold, code, fields, lines, md

if TYPE_CHECKING:
    from bot.deps import Deps

router = Router("endpoints")

NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
LATENCY_WARN_MS = 500.0
ERROR_RATE_BAD = 0.01  # 1 % of calls failing with 5xx
ERROR_RATE_4XX_WARN = 0.05
CHANGING = {"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"}
ICONS = {"unhealthy": ":red_circle:", "degraded": ":large_orange_circle:",
         "changing": ":large_blue_circle:", "idle": ":white_circle:", "healthy": ":large_green_circle:"}
ORDER = ["unhealthy", "degraded", "changing", "idle", "healthy"]


def check_name(name: str, what: str = "endpoint") -> str:
    if not NAME.match(name):
        raise InvalidInput(f"{name[:70]!r} is not a valid {what} name.",
                           hint="Names use letters, digits and hyphens, up to 63 characters.")
    return name


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
    parts = [md("{n} invocations", n=f"{s.invocations:,.0f}"),
             md("{n} 5xx", n=f"{s.errors_5xx:,.0f}"), md("{n} 4xx", n=f"{s.errors_4xx:,.0f}")]
    if s.latency_ms is not None:
        parts.append(md("model latency {n} ms", n=f"{s.latency_ms:,.0f}"))
    return Md(" · ".join(parts))


def _window(deps: Deps) -> tuple[datetime, datetime]:
    end = datetime.fromtimestamp(deps.clock(), UTC).replace(second=0, microsecond=0)
    return end - timedelta(hours=1), end


@router.intent("EndpointHealth", example="are my endpoints healthy")
def endpoint_health(request: Request, deps: Deps) -> Reply:
    """Status, last-hour traffic, errors and latency of every endpoint, unhealthy first."""
    name = request.slot("endpointName")
    if name:
        return _one_endpoint(check_name(name), deps)
    sagemaker, cloudwatch = deps.aws.sagemaker, deps.aws.cloudwatch
    endpoints = [(e["EndpointName"], e["EndpointStatus"])
                 for e in paginate(sagemaker, "list_endpoints", "Endpoints")]
    if not endpoints:
        return Reply.text(md("There are no SageMaker endpoints in {r}.", r=deps.aws.region))
    start, end = _window(deps)
    known = variants_by_endpoint(cloudwatch)
    variants = {e: known.get(e, []) for e, _ in endpoints}
    stats = endpoint_stats(cloudwatch, {e: v for e, v in variants.items() if v}, start=start, end=end)
    health = [judge(e, status, stats.get(e, EndpointStats())) for e, status in endpoints]
    health.sort(key=lambda h: (ORDER.index(h.verdict), -h.stats.errors_5xx, h.name))
    bad = [h for h in health if h.verdict in ("unhealthy", "degraded")]
    headline = (md("{n} of {t} endpoints need attention.", n=len(bad), t=len(health)) if bad
                else md("All {t} endpoints look healthy.", t=len(health)))
    rows = [
        lines(
            md("{i} {n} ({s}){r}", i=Md(ICONS[h.verdict]), n=bold(h.name), s=h.status,
               r=md(": {x}", x="; ".join(h.reasons)) if h.reasons else md("")),
            _traffic_line(h.stats),
        )
        for h in health
    ]
    summary = (f"{len(bad)} of {len(health)} endpoints need attention: "
               + ", ".join(f"{h.name} ({'; '.join(h.reasons) or h.status})" for h in bad)
               if bad else f"All {len(health)} endpoints look healthy.")
    blocks: list[Any] = [Header("Endpoint health, last hour"), Section(headline)]
    blocks += [Section(row) for row in rows[:40]]
    if len(rows) > 40:
        blocks.append(Context(md("…and {n} more endpoints.", n=len(rows) - 40)))
    blocks.append(Context(md("CloudWatch AWS/SageMaker, {a}–{b} UTC · {r}",
                             a=start.strftime("%H:%M"), b=end.strftime("%H:%M"), r=deps.aws.region)))
    return Reply(summary=summary, blocks=tuple(blocks))


def describe_endpoint(deps: Deps, name: str) -> dict[str, Any]:
    try:
        return dict(deps.aws.sagemaker.describe_endpoint(EndpointName=name))
    except ClientError as exc:
        if is_not_found(exc):
            raise NotFound(f"There is no endpoint named {name}.", hint=_suggest(deps, name)) from None
        raise


def _suggest(deps: Deps, name: str) -> str:
    names = [e["EndpointName"] for e in paginate(deps.aws.sagemaker, "list_endpoints", "Endpoints",
                                                 limit=1000)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        return "Did you mean " + " or ".join(close) + "?"
    return "Say 'are my endpoints healthy' to see them all." if names else "There are no endpoints yet."


def _one_endpoint(name: str, deps: Deps) -> Reply:
    endpoint = describe_endpoint(deps, name)
    status = endpoint.get("EndpointStatus", "Unknown")
    variants = [v["VariantName"] for v in endpoint.get("ProductionVariants", [])] or ["AllTraffic"]
    start, end = _window(deps)
    stats = endpoint_stats(deps.aws.cloudwatch, {name: variants}, start=start, end=end).get(
        name, EndpointStats())
    health = judge(name, status, stats)
    config_name = endpoint.get("EndpointConfigName", "")
    instances = []
    try:
        config = deps.aws.sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        by_variant = {v["VariantName"]: v for v in config.get("ProductionVariants", [])}
    except ClientError:
        by_variant = {}
    for v in endpoint.get("ProductionVariants", []):
        spec = by_variant.get(v["VariantName"], {})
        count = v.get("CurrentInstanceCount", spec.get("InitialInstanceCount", "?"))
        instances.append(f"{v['VariantName']}: {spec.get('InstanceType', 'serverless')} × {count}")
    created = endpoint.get("CreationTime")
    info = {
        "Status": md("{i} {s}", i=Md(ICONS[health.verdict]), s=status),
        "Configuration": code(config_name) if config_name else md("–"),
        "Variants": "\n".join(instances) or "–",
        "Invocations (1 h)": f"{stats.invocations:,.0f}",
        "5xx errors": f"{stats.errors_5xx:,.0f}" + (f" ({stats.error_rate_5xx:.1%})" if stats.invocations else ""),
        "4xx errors": f"{stats.errors_4xx:,.0f}",
        "Model latency": f"{stats.latency_ms:,.0f} ms avg" if stats.latency_ms is not None else "no data",
        "Overhead latency": f"{stats.overhead_us / 1000:,.0f} ms avg" if stats.overhead_us is not None else "no data",
    }
    if created:
        info["Created"] = created.strftime("%Y-%m-%d %H:%M UTC")
    blocks: list[Any] = [Header(f"Endpoint {name}")]
    if health.reasons:
        blocks.append(Section(md(":warning: {r}", r="; ".join(health.reasons))))
    if endpoint.get("FailureReason"):
        blocks.append(Section(md("*Failure reason:* {r}", r=endpoint["FailureReason"])))
    blocks.append(Section(fields=fields(info)))
    blocks.append(Context(md("CloudWatch, {a}–{b} UTC", a=start.strftime("%H:%M"), b=end.strftime("%H:%M"))))
    summary = f"{name}: {status}, " + ("; ".join(health.reasons) if health.reasons else health.verdict)
    return Reply(summary=summary, blocks=tuple(blocks))
