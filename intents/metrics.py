"""Endpoint metrics from CloudWatch, fetched in as few calls as possible.

One ``ListMetrics`` listing finds every (endpoint, variant) that has data (kept for a
few minutes: CloudWatch itself lists a new metric only up to 15 minutes late); one
``GetMetricData`` call takes up to 500 queries, so a whole account's endpoints
usually cost one to three calls, whatever their number.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from intents.aws import items

if TYPE_CHECKING:
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

NAMESPACE = "AWS/SageMaker"
MAX_QUERIES = 500
# (metric, statistic, key)
ENDPOINT_METRICS = (
    ("Invocations", "Sum", "invocations"),
    ("Invocation4XXErrors", "Sum", "errors_4xx"),
    ("Invocation5XXErrors", "Sum", "errors_5xx"),
    ("ModelLatency", "Average", "latency_us"),
    ("OverheadLatency", "Average", "overhead_us"),
)
ALL_KEYS = tuple(key for _, _, key in ENDPOINT_METRICS)
# What a list of endpoints shows, and what telling an idle endpoint needs: asking only for
# those makes fewer queries (500 a call) and fewer results to parse.
HEALTH_KEYS = ("invocations", "errors_4xx", "errors_5xx", "latency_us")
TRAFFIC_KEYS = ("invocations",)


@dataclass
class EndpointStats:
    invocations: float = 0.0
    errors_4xx: float = 0.0
    errors_5xx: float = 0.0
    latency_us: float | None = None  # weighted by invocations across variants
    overhead_us: float | None = None
    variants: list[str] = field(default_factory=list)
    has_data: bool = False

    @property
    def latency_ms(self) -> float | None:
        return self.latency_us / 1000 if self.latency_us is not None else None

    @property
    def error_rate_5xx(self) -> float:
        return self.errors_5xx / self.invocations if self.invocations else 0.0

    @property
    def error_rate_4xx(self) -> float:
        return self.errors_4xx / self.invocations if self.invocations else 0.0


# Which endpoints and variants report metrics, per CloudWatch client: a new metric shows in
# ListMetrics up to 15 minutes late anyway, and the listing is one of an endpoint report's
# three calls.
VARIANTS_SECONDS = 300.0
_variants: weakref.WeakKeyDictionary[Any, tuple[float, dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary()
)
_variants_lock = threading.Lock()


def forget_variants() -> None:
    """Drop the kept listings (tests and benchmarks that start cold)."""
    with _variants_lock:
        _variants.clear()


def variants_by_endpoint(
    cloudwatch: CloudWatchClient, *, now: float | None = None
) -> dict[str, list[str]]:
    """Every endpoint that reported metrics, with its variant names (one paginated listing,
    kept for VARIANTS_SECONDS)."""
    now = time.monotonic() if now is None else now
    with _variants_lock:
        kept = _variants.get(cloudwatch)
    if kept is not None and now - kept[0] < VARIANTS_SECONDS:
        return {e: list(v) for e, v in kept[1].items()}
    found = _list_variants(cloudwatch)
    with _variants_lock:
        _variants[cloudwatch] = (now, found)
    return {e: list(v) for e, v in found.items()}


def _list_variants(cloudwatch: CloudWatchClient) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for metric in items(
        cloudwatch.get_paginator("list_metrics").paginate(
            Namespace=NAMESPACE, MetricName="Invocations"
        ),
        lambda p: p.get("Metrics", []),
    ):
        dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", ())}
        if (
            "EndpointName" in dims
            and "VariantName" in dims
            and dims["VariantName"] not in found[dims["EndpointName"]]
        ):
            found[dims["EndpointName"]].append(dims["VariantName"])
    return dict(found)


def _queries(
    targets: Iterable[tuple[str, str]], period: int, keys: Iterable[str] = ALL_KEYS
) -> tuple[list[MetricDataQueryTypeDef], dict[str, tuple[str, str, str]]]:
    queries: list[MetricDataQueryTypeDef] = []
    index: dict[str, tuple[str, str, str]] = {}
    wanted = [m for m in ENDPOINT_METRICS if m[2] in set(keys)]
    for endpoint, variant in targets:
        for metric, stat, key in wanted:
            qid = f"q{len(queries)}"
            index[qid] = (endpoint, variant, key)
            queries.append(
                {
                    "Id": qid,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": NAMESPACE,
                            "MetricName": metric,
                            "Dimensions": [
                                {"Name": "EndpointName", "Value": endpoint},
                                {"Name": "VariantName", "Value": variant},
                            ],
                        },
                        "Period": period,
                        "Stat": stat,
                    },
                    "ReturnData": True,
                }
            )
    return queries, index


def endpoint_stats(
    cloudwatch: CloudWatchClient,
    variants: dict[str, list[str]],
    *,
    start: datetime,
    end: datetime,
    keys: Iterable[str] = ALL_KEYS,
) -> dict[str, EndpointStats]:
    """Totals per endpoint over [start, end): traffic, errors, latency (all variants);
    only the statistics named in *keys* (EndpointStats' fields) are asked for."""
    period = max(60, int((end - start).total_seconds()) // 60 * 60)
    targets = [(e, v) for e, vs in variants.items() for v in vs]
    queries, index = _queries(targets, period, keys)
    per_variant: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for i in range(0, len(queries), MAX_QUERIES):
        chunk = queries[i : i + MAX_QUERIES]
        for result in items(
            cloudwatch.get_paginator("get_metric_data").paginate(
                MetricDataQueries=chunk, StartTime=start, EndTime=end
            ),
            lambda p: p.get("MetricDataResults", []),
        ):
            points = result.get("Values") or []
            if not points:
                continue
            endpoint, variant, key = index[result["Id"]]
            if key in ("latency_us", "overhead_us"):
                per_variant[(endpoint, variant)][key] = sum(points) / len(points)
            else:
                per_variant[(endpoint, variant)][key] = float(sum(points))
    stats: dict[str, EndpointStats] = {
        e: EndpointStats(variants=list(vs)) for e, vs in variants.items()
    }
    for (endpoint, _variant), values in per_variant.items():
        s = stats[endpoint]
        s.has_data = True
        calls = values.get("invocations", 0.0)
        for key in ("latency_us", "overhead_us"):
            if key in values:
                # Average over variants weighted by their traffic.
                old, weight = getattr(s, key), s.invocations
                value = values[key]
                setattr(
                    s,
                    key,
                    value
                    if old is None or weight + calls == 0
                    else (old * weight + value * calls) / (weight + calls),
                )
        s.invocations += calls
        s.errors_4xx += values.get("errors_4xx", 0.0)
        s.errors_5xx += values.get("errors_5xx", 0.0)
    return stats


SERIES_PERIOD = 300  # seconds: CloudWatch's 5-minute periods, what a chart of an hour shows


@dataclass
class EndpointTraffic:
    """One endpoint's totals and its series in equal periods (oldest first), every variant
    added up; latency averaged over variants and periods, weighted by invocations."""

    stats: EndpointStats
    times: list[datetime] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)  # key -> a value a period

    def values(self, key: str) -> list[float]:
        return [v or 0.0 for v in self.series.get(key, [])]


def endpoint_traffic(
    cloudwatch: CloudWatchClient,
    variants: dict[str, list[str]],
    *,
    start: datetime,
    end: datetime,
    keys: Iterable[str] = ALL_KEYS,
    period: int = SERIES_PERIOD,
) -> dict[str, EndpointTraffic]:
    """Every endpoint's series in *period*-second periods over [start, end), and the totals
    they add up to: one query per (endpoint, variant, statistic), 500 a call, as
    :func:`endpoint_stats` makes for totals alone."""
    wanted = tuple(keys)
    targets = [(e, v) for e, vs in variants.items() for v in vs]
    queries, index = _queries(targets, period, wanted)
    steps = max(1, int((end - start).total_seconds()) // period)
    times = [start + timedelta(seconds=i * period) for i in range(steps)]
    # (endpoint, variant, key) -> per period
    points: dict[tuple[str, str, str], list[float | None]] = {}
    for i in range(0, len(queries), MAX_QUERIES):
        chunk = queries[i : i + MAX_QUERIES]
        for result in items(
            cloudwatch.get_paginator("get_metric_data").paginate(
                MetricDataQueries=chunk, StartTime=start, EndTime=end
            ),
            lambda p: p.get("MetricDataResults", []),
        ):
            endpoint, variant, key = index[result["Id"]]
            slots = points.setdefault((endpoint, variant, key), [None] * steps)
            for stamp, value in zip(
                result.get("Timestamps") or [], result.get("Values") or [], strict=False
            ):
                slot = int((stamp - start).total_seconds()) // period
                if 0 <= slot < steps:
                    slots[slot] = (slots[slot] or 0.0) + value if key not in _AVERAGES else value
    out: dict[str, EndpointTraffic] = {}
    for endpoint, names in variants.items():
        stats = EndpointStats(variants=list(names))
        series: dict[str, list[float | None]] = {}
        for key in wanted:
            if key in _AVERAGES:
                continue
            per = [points.get((endpoint, v, key)) for v in names]
            series[key] = [
                sum(p[i] or 0.0 for p in per if p is not None)
                if any(p is not None and p[i] is not None for p in per)
                else None
                for i in range(steps)
            ]
            setattr(stats, key, float(sum(x or 0.0 for x in series[key])))
        for key in (k for k in wanted if k in _AVERAGES):
            series[key], average = _weighted(endpoint, names, key, steps, points)
            setattr(stats, key, average)
        stats.has_data = any((endpoint, v, k) in points for v in names for k in wanted)
        out[endpoint] = EndpointTraffic(stats, list(times), series)
    return out


_AVERAGES = ("latency_us", "overhead_us")


def _weighted(
    endpoint: str,
    names: list[str],
    key: str,
    steps: int,
    points: dict[tuple[str, str, str], list[float | None]],
) -> tuple[list[float | None], float | None]:
    """A latency's series (variants weighted by their calls in each period) and its average
    over the window (periods weighted by calls; unweighted where no calls were counted)."""
    series: list[float | None] = []
    total = weight = 0.0
    for i in range(steps):
        num = den = 0.0
        for v in names:
            value = (points.get((endpoint, v, key)) or [None] * steps)[i]
            if value is None:
                continue
            calls = (points.get((endpoint, v, "invocations")) or [None] * steps)[i] or 0.0
            w = calls or 1e-9
            num, den = num + value * w, den + w
        series.append(num / den if den else None)
        if den:
            total, weight = total + num, weight + den
    return series, (total / weight if weight else None)
