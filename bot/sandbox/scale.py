"""A big account on moto, with AWS's real page sizes: for benchmarks and tests of growth.

moto answers a list call with up to 100 items whatever the API's default, so a listing
that never asks for a page size costs as few calls on moto as one that asks for the
largest page; on AWS it costs ten times as many. :class:`AwsCalls` puts AWS's defaults
and maxima back on a client (and counts its calls by operation, and the CPU moto spends
answering them); :func:`seed_extra` adds n endpoints, with their configurations, models,
metrics, notebooks and jobs, to an account; :func:`fast_metric_data` makes moto's
``GetMetricData`` answer thousands of queries in milliseconds instead of minutes.

Nothing here is imported by the production bot.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ClientError

from bot.sandbox import moto_ext

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from types_boto3_cloudwatch.type_defs import MetricDatumTypeDef
    from types_boto3_sagemaker.literals import ProductionVariantInstanceTypeType

    from intents.clients import AwsClients

# The page AWS answers with when a list call gives no page size, by (service, operation).
# The largest page each accepts comes from botocore's service model (MaxResults' "max").
# Sources: the SageMaker API Reference says "This value defaults to 10" (ListEndpoints) and
# "The default value is 10" (ListMonitoringSchedules, ListMonitoringExecutions); its other
# List* pages and Search state no default, and 10 is taken as for the rest of SageMaker.
# The Budgets API Reference, DescribeBudgets: "The default is 100" (max 1000).
# Not here, because moto already pages them as AWS does or there is nothing to choose:
# CloudWatch ListMetrics (500 per call, no page-size parameter: CloudWatch API Reference),
# GetMetricData (500 queries per call; MaxDatapoints defaults to 100,800), Cost Explorer
# GetCostAndUsage (no page-size parameter), Price List GetProducts (the bot reads one page).
DEFAULT_PAGE: dict[tuple[str, str], int] = {
    ("sagemaker", "ListEndpoints"): 10,
    ("sagemaker", "ListEndpointConfigs"): 10,
    ("sagemaker", "ListModels"): 10,
    ("sagemaker", "ListNotebookInstances"): 10,
    ("sagemaker", "ListTrainingJobs"): 10,
    ("sagemaker", "ListProcessingJobs"): 10,
    ("sagemaker", "ListCompilationJobs"): 10,
    ("sagemaker", "ListAutoMLJobs"): 10,
    ("sagemaker", "ListLabelingJobs"): 10,
    ("sagemaker", "ListCandidatesForAutoMLJob"): 10,
    ("sagemaker", "ListMonitoringSchedules"): 10,
    ("sagemaker", "ListMonitoringExecutions"): 10,
    ("sagemaker", "Search"): 10,
    ("budgets", "DescribeBudgets"): 100,
}
_TOKEN = "emulated-page-"


@dataclass
class _Paging:
    limit_key: str
    input_token: str
    output_token: str
    result_key: str
    default: int
    maximum: int


@dataclass
class AwsCalls:
    """AWS's page sizes on the clients it is attached to, and what those clients called.

    A list call without a page size gets AWS's default page; one asking for more than
    the maximum fails as on AWS (ValidationException). Where moto ignores the page size,
    the answer is cut into pages here (the rest is served from memory, still counted as
    a call). ``moto_cpu`` is the CPU time moto spent answering, so that the client's
    own CPU is the process's CPU minus it.
    """

    calls: Counter[str] = field(default_factory=Counter)
    _pending: dict[str, tuple[list[Any], str | None]] = field(default_factory=dict)
    _tokens: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _clients: list[BaseClient] = field(default_factory=list)

    def attach(self, *clients: BaseClient) -> AwsCalls:
        for client in clients:
            events = client.meta.events
            events.register("before-parameter-build.*.*", self._before_parameter_build)
            events.register_first("before-call.*.*", self._answer)
            events.register("after-call.*.*", self._after_call)
            self._clients.append(client)
        return self

    def detach(self) -> None:
        for client in self._clients:
            events = client.meta.events
            events.unregister("before-parameter-build.*.*", self._before_parameter_build)
            events.unregister("before-call.*.*", self._answer)
            events.unregister("after-call.*.*", self._after_call)
        self._clients.clear()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._pending.clear()

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    # ------------------------------------------------------------------ botocore events

    @property
    def _answer(self) -> Callable[..., None]:
        # A before-call handler may answer the call itself (botocore's Stubber does);
        # botocore-stubs types every handler as returning None.
        return cast("Callable[..., None]", self._before_call)

    def _before_parameter_build(self, params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        paging = _paging(model)
        if paging is None:
            return
        context: dict[str, Any] = kwargs.get("context", {})
        asked = params.get(paging.limit_key)
        if asked is not None and asked > paging.maximum:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ValidationException",
                        "Message": f"1 validation error detected: Value '{asked}' at "
                        f"'maxResults' failed to satisfy constraint: Member must have value "
                        f"less than or equal to {paging.maximum}",
                    }
                },
                model.name,
            )
        page = asked if asked is not None else paging.default
        params[paging.limit_key] = page
        context["emulated_page"] = page
        token = params.get(paging.input_token)
        if isinstance(token, str) and token.startswith(_TOKEN):
            with self._lock:
                context["emulated_rest"] = self._pending.pop(token)
            del params[paging.input_token]  # moto never sees our token

    def _before_call(self, model: Any, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        with self._lock:
            self.calls[model.name] += 1
        context: dict[str, Any] = kwargs.get("context", {})
        rest = context.get("emulated_rest")
        paging = _paging(model)
        if rest is None or paging is None:
            return None
        items, upstream = rest
        parsed: dict[str, Any] = {paging.result_key: items}
        if upstream:
            parsed[paging.output_token] = upstream
        self._cut(parsed, paging, context["emulated_page"])
        return AWSResponse("https://emulated.invalid", 200, HTTPHeaders(), None), parsed

    def _after_call(self, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        context: dict[str, Any] = kwargs.get("context", {})
        paging = _paging(model)
        if paging is None or "emulated_rest" in context or "emulated_page" not in context:
            return
        self._cut(parsed, paging, context["emulated_page"])

    def _cut(self, parsed: dict[str, Any], paging: _Paging, page: int) -> None:
        items = parsed.get(paging.result_key)
        if not isinstance(items, list) or len(items) <= page:
            return
        token = f"{_TOKEN}{next(self._tokens)}"
        with self._lock:
            self._pending[token] = (items[page:], parsed.get(paging.output_token))
        parsed[paging.result_key] = items[:page]
        parsed[paging.output_token] = token


_pagings: dict[tuple[str, str], _Paging | None] = {}


def _paging(model: Any) -> _Paging | None:
    """How *model*'s operation pages, if its default page is emulated here."""
    service = model.service_model.service_name
    key = (service, model.name)
    if key not in _pagings:
        _pagings[key] = None
        if key in DEFAULT_PAGE:
            import botocore.session

            config = botocore.session.get_session().get_paginator_model(service)
            spec = config.get_paginator(model.name)
            limit_key = spec["limit_key"]
            _pagings[key] = _Paging(
                limit_key=limit_key,
                input_token=spec["input_token"],
                output_token=spec["output_token"],
                result_key=spec["result_key"],
                default=DEFAULT_PAGE[key],
                maximum=int(model.input_shape.members[limit_key].metadata["max"]),
            )
    return _pagings[key]


# ---------------------------------------------------------------------------- moto's CPU


class MotoTime:
    """The CPU time moto spends answering requests (in-process, decorator mode)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()

    @contextmanager
    def counting(self) -> Iterator[MotoTime]:
        from moto.core.botocore_stubber import BotocoreStubber

        original = BotocoreStubber.__call__
        owner = self

        def timed(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return original(self, event_name, request, **kwargs)
            finally:
                spent = time.thread_time() - start
                with owner._lock:
                    owner.seconds += spent

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BotocoreStubber.__call__ = original  # type: ignore[method-assign]


# ---------------------------------------------------------------------------- moto metrics


@contextmanager
def fast_metric_data() -> Iterator[None]:
    """moto's GetMetricData compares every query with every data point, so 2,500 queries
    over 2,500 points take minutes; this answers the same from an index."""
    from moto.cloudwatch.models import CloudWatchBackend, Statistics

    original = CloudWatchBackend.get_metric_data

    def get_metric_data(
        self: Any,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampAscending",
    ) -> Any:
        if any("MetricStat" not in q for q in queries) or start_time >= end_time:
            return original(self, queries, start_time, end_time, scan_by)
        start = start_time.replace(microsecond=0)
        end = end_time.replace(microsecond=0)
        index: dict[tuple[str, str, frozenset[tuple[str, str]]], list[Any]] = defaultdict(list)
        for point in self.get_all_metrics():
            if start <= point.timestamp < end:
                dims = frozenset((d.name, d.value) for d in point.dimensions)
                index[(point.namespace, point.name, dims)].append(point)
        results = []
        for query in queries:
            stat = query["MetricStat"]
            metric = stat["Metric"]
            dims = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
            points = index.get((metric["Namespace"], metric["MetricName"], dims), [])
            if stat.get("Unit"):
                points = [p for p in points if p.unit == stat["Unit"]]
            delta = timedelta(seconds=int(stat["Period"]))
            buckets: dict[int, list[Any]] = defaultdict(list)
            for point in points:
                buckets[int((point.timestamp - start) / delta)].append(point)
            values, stamps = [], []
            for slot in sorted(buckets):
                stats = Statistics([stat["Stat"]], start + slot * delta)
                stats.metric_data = buckets[slot]
                values.append(stats.get_statistics_for_type(stat["Stat"]))
                stamps.append(stats.timestamp)
            if scan_by == "TimestampDescending":
                values.reverse()
                stamps.reverse()
            if query.get("ReturnData", True):
                results.append(
                    {
                        "id": query["Id"],
                        "label": query.get("Label") or f"{metric['MetricName']} {stat['Stat']}",
                        "values": values,
                        "timestamps": stamps,
                        "status_code": "Complete",
                    }
                )
        return results

    CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
    try:
        yield
    finally:
        CloudWatchBackend.get_metric_data = original  # type: ignore[method-assign]


# ---------------------------------------------------------------------------- seeding

INSTANCE_TYPES: tuple[ProductionVariantInstanceTypeType, ...] = (
    "ml.m5.large",
    "ml.c5.xlarge",
    "ml.g4dn.xlarge",
    "ml.t2.medium",
)


@dataclass(frozen=True)
class ScaleAccount:
    """What :func:`seed_extra` created."""

    endpoints: list[str]
    busy: list[str]  # endpoints with traffic in the last hour
    shared_config: str  # a configuration two endpoints use
    sharing: tuple[str, str]  # the two endpoints that use it
    training_jobs: int
    in_progress: int
    notebooks: int


def endpoint_name(i: int) -> str:
    return f"scale-ep-{i:05d}"


def seed_extra(
    aws: AwsClients,
    n: int,
    *,
    now: datetime | None = None,
    role_arn: str = "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
    data: str = "s3://acme-ml-data/churn/train.csv",
) -> ScaleAccount:
    """Add *n* endpoints (every other one with traffic, every tenth sharing the previous one's
    configuration), n training jobs (2 % in progress, half of those stuck), n/10 processing jobs
    and n/10 notebooks (half left running for days) to the account behind *aws* (moto)."""
    from moto.sagemaker.models import sagemaker_backends

    now = (now or datetime.now(UTC)).replace(microsecond=0)
    sm, cw = aws.sagemaker, aws.cloudwatch
    endpoints, busy = [], []
    scale, moto_ext.CONFIG.scale = moto_ext.CONFIG.scale, 0  # endpoints in service at once
    try:
        for i in range(n):
            name = endpoint_name(i)
            config = f"{endpoint_name(i - 1)}-config" if i % 10 == 1 else f"{name}-config"
            if config == f"{name}-config":
                sm.create_model(
                    ModelName=f"{name}-model",
                    ExecutionRoleArn=role_arn,
                    PrimaryContainer={"Image": "img", "ModelDataUrl": f"s3://b/{name}.tar.gz"},
                )
                sm.create_endpoint_config(
                    EndpointConfigName=config,
                    ProductionVariants=[
                        {
                            "VariantName": "AllTraffic",
                            "ModelName": f"{name}-model",
                            "InstanceType": INSTANCE_TYPES[i % len(INSTANCE_TYPES)],
                            "InitialInstanceCount": 1,
                        }
                    ],
                )
            sm.create_endpoint(EndpointName=name, EndpointConfigName=config)
            endpoints.append(name)
            if i % 2 == 0:
                busy.append(name)
    finally:
        moto_ext.CONFIG.scale = scale
    _put_traffic(cw, busy, now - timedelta(minutes=10))

    # moto's annotations do not match what it stores (see seed.py): set through Any.
    backend: Any = sagemaker_backends[aws.account_id()][aws.region]
    for i, name in enumerate(endpoints):  # made over the last month, as in a real account
        endpoint = backend.endpoints[name]
        endpoint.creation_time = endpoint.last_modified_time = (
            now - timedelta(days=30, minutes=-i)
        ).replace(tzinfo=None)  # moto keeps naive UTC times here
    in_progress = 0
    for i in range(n):
        name = f"scale-train-{i:05d}"
        sm.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
            RoleArn=role_arn,
            InputDataConfig=[
                {
                    "ChannelName": "train",
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": data,
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                }
            ],
            OutputDataConfig={"S3OutputPath": "s3://acme-ml-artifacts/training"},
            ResourceConfig={
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            StoppingCondition={"MaxRuntimeInSeconds": 86400},
        )
        job = backend.training_jobs[name]
        moto_ext.CONFIG.training.pop(job.arn, None)  # keeps the state given here
        if i % 50 == 7:
            stuck = in_progress % 2 == 0
            in_progress += 1
            job.creation_time = job.training_start_time = now - timedelta(hours=2 if stuck else 0.2)
            job.training_job_status = "InProgress"
            job.secondary_status = "Starting" if stuck else "Training"
            job.training_end_time = None
        else:
            job.training_job_status = job.secondary_status = "Completed"
    for i in range(n // 10):
        sm.create_processing_job(
            ProcessingJobName=f"scale-proc-{i:05d}",
            RoleArn=role_arn,
            AppSpecification={"ImageUri": "img"},
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 30,
                }
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
        )
    for i in range(n // 10):
        name = f"scale-notebook-{i:05d}"
        sm.create_notebook_instance(
            NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=role_arn
        )
        if i % 2 == 0:  # left running for days
            notebook = backend.notebook_instances[name]
            # moto keeps and serves ISO strings here (see seed.py)
            notebook.creation_time = (now - timedelta(days=3)).isoformat()
            notebook.last_modified_time = (now - timedelta(days=3)).isoformat()
    return ScaleAccount(
        endpoints=endpoints,
        busy=busy,
        shared_config=f"{endpoint_name(0)}-config",
        sharing=(endpoint_name(0), endpoint_name(1)),
        training_jobs=n,
        in_progress=in_progress,
        notebooks=n // 10,
    )


def _put_traffic(cloudwatch: Any, endpoints: list[str], at: datetime) -> None:
    """One data point of each endpoint metric per endpoint, inside the last hour."""
    data: list[MetricDatumTypeDef] = []
    for name in endpoints:
        for metric, value in (
            ("Invocations", 120.0),
            ("Invocation4XXErrors", 0.0),
            ("Invocation5XXErrors", 0.0),
            ("ModelLatency", 20_000.0),
            ("OverheadLatency", 4_000.0),
        ):
            data.append(
                {
                    "MetricName": metric,
                    "Dimensions": [
                        {"Name": "EndpointName", "Value": name},
                        {"Name": "VariantName", "Value": "AllTraffic"},
                    ],
                    "Timestamp": at,
                    "Value": value,
                }
            )
    for i in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=data[i : i + 1000])


def timed(run: Callable[[], object], moto: MotoTime) -> tuple[float, float]:
    """Wall and client CPU milliseconds of *run* (CPU of the whole process, less moto's)."""
    moto_before = moto.seconds
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall * 1000, max(0.0, cpu - (moto.seconds - moto_before)) * 1000
