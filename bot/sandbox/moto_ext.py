"""What the sandbox adds to moto so a demo looks and behaves like a real account.

moto jumps SageMaker jobs straight to their final state and lacks a few calls
(StopTrainingJob, UpdateEndpoint, ListCandidatesForAutoMLJob, ListLabelingJobs),
answers Cost Explorer and InvokeEndpoint with canned data, and lists a CloudWatch
metric once per data point. Here, inside the sandbox process only:

* training jobs, endpoints and Autopilot jobs move through their real statuses
  over tens of seconds (``scale`` stretches or shrinks that; 0 makes it immediate);
* the missing calls exist, with the real request and response shapes;
* Cost Explorer answers from the seeded 60 days of costs; ListMetrics lists each metric once;
* InvokeEndpoint checks that the endpoint exists and answers a believable score;
* DynamoDB writes are atomic, as in AWS: moto's server handles requests on many threads
  and checks a write's condition and applies it in two steps, so two replicas' conditional
  writes could both succeed (:func:`atomic_dynamodb`).

Nothing here is imported by the production bot.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

_lock = threading.RLock()
_installed = False
_dynamodb_atomic = False
_MISSING = object()
_originals: list[tuple[Any, str, Any]] = []


def _patch(owner: Any, name: str, value: Any) -> None:
    _originals.append((owner, name, owner.__dict__.get(name, _MISSING)))
    setattr(owner, name, value)


def _advance_before(owner: Any, advance_all: Callable[[Any], None], *names: str) -> None:
    """Reads (describe/list) first move every simulated resource along the clock."""
    for name in names:
        original = getattr(owner, name)

        def read(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            advance_all(self)
            return _original(self, *args, **kwargs)

        _patch(owner, name, read)


@dataclass
class _Timeline:
    start: float
    duration: float
    stop_requested_at: float | None = None
    fail_reason: str | None = None


@dataclass
class Config:
    scale: float = 1.0  # 1.0: a training job takes ~40 s; 0: immediate
    clock: Callable[[], float] = time.time
    training: dict[str, _Timeline] = field(default_factory=dict)
    endpoints: dict[str, _Timeline] = field(default_factory=dict)
    automl: dict[str, _Timeline] = field(default_factory=dict)
    labeling_jobs: list[dict[str, Any]] = field(default_factory=list)
    monitoring_schedules: list[dict[str, Any]] = field(default_factory=list)
    monitoring_executions: list[dict[str, Any]] = field(default_factory=list)
    costs: dict[date, dict[str, float]] = field(default_factory=dict)  # day -> service -> USD
    anomalies: list[dict[str, Any]] = field(default_factory=list)  # GetAnomalies' shape
    # SageMaker Studio, which moto lacks: apps (DescribeApp's shape) and spaces (ListSpaces')
    studio_apps: list[dict[str, Any]] = field(default_factory=list)
    studio_spaces: list[dict[str, Any]] = field(default_factory=list)
    # Trusted Advisor's cost recommendations (ListRecommendations' shape); None: the account's
    # support plan does not include the Trusted Advisor API
    advice: list[dict[str, Any]] | None = field(default_factory=list)


CONFIG = Config()
TRAINING_SECONDS = 40.0
ENDPOINT_SECONDS = 20.0
AUTOML_SECONDS = 60.0
STOP_SECONDS = 4.0

# (secondary status, share of the run it starts at, message)
TRAINING_PHASES = [
    ("Starting", 0.0, "Preparing the instances for training"),
    ("Downloading", 0.15, "Downloading input data"),
    ("Training", 0.35, "Training image download completed. Training in progress."),
    ("Uploading", 0.85, "Uploading generated training model"),
]
AUTOML_PHASES = [
    ("Starting", 0.0),
    ("AnalyzingData", 0.1),
    ("FeatureEngineering", 0.3),
    ("ModelTuning", 0.5),
    ("GeneratingExplainabilityReport", 0.9),
]
FINAL_METRICS = {
    "xgboost": [("validation:auc", 0.9137), ("train:auc", 0.9488)],
    "linear-learner": [("validation:binary_f_beta", 0.8412), ("validation:objective_loss", 0.3121)],
    "kmeans": [("test:msd", 1.8732), ("test:ssd", 4210.5)],
    "knn": [("test:accuracy", 0.8806)],
    "pca": [("test:reconstruction_error", 0.0431)],
    "randomcutforest": [("test:f1", 0.7723)],
    "factorization-machines": [("test:rmse", 0.9125)],
    "blazingtext": [("validation:accuracy", 0.9012)],
    "image-classification": [("validation:accuracy", 0.9356)],
    "object-detection": [("validation:mAP", 0.6921)],
    "forecasting-deepar": [("test:RMSE", 12.41), ("test:mean_wQuantileLoss", 0.0874)],
}


def _now() -> float:
    return CONFIG.clock()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _algorithm(image: str) -> str:
    return image.rsplit("/", 1)[-1].split(":", 1)[0].removeprefix("sagemaker-")


# ---------------------------------------------------------------------------- training


def _advance_training(job: Any, now: float) -> None:
    timeline = CONFIG.training.get(job.arn)
    if timeline is None or job.training_job_status in ("Completed", "Failed", "Stopped"):
        return
    elapsed = now - timeline.start
    if timeline.stop_requested_at is not None:
        if now - timeline.stop_requested_at >= STOP_SECONDS * CONFIG.scale:
            _finish(job, "Stopped", "Stopped", "Training job stopped by user request", now)
        else:
            job.training_job_status, job.secondary_status = "Stopping", "Stopping"
        return
    share = 1.0 if timeline.duration <= 0 else elapsed / timeline.duration
    if timeline.fail_reason and share >= TRAINING_PHASES[1][1]:
        job.failure_reason = timeline.fail_reason
        _finish(job, "Failed", "Failed", "Training job failed", now)
        return
    if share >= 1.0:
        _finish(job, "Completed", "Completed", "Training job completed", now)
        return
    transitions = []
    for i, (status, begin, message) in enumerate(TRAINING_PHASES):
        if share >= begin:
            start = _dt(timeline.start + begin * timeline.duration)
            transitions.append({"Status": status, "StartTime": start, "StatusMessage": message})
            if i and transitions[i - 1].get("EndTime") is None:
                transitions[i - 1]["EndTime"] = start
    job.training_job_status = "InProgress"
    job.secondary_status = transitions[-1]["Status"]
    job.secondary_status_transitions = transitions
    job.training_end_time = None
    job.final_metric_data_list = []
    job.billable_time_in_seconds = None
    job.last_modified_time = _dt(now)


def _finish(job: Any, status: str, secondary: str, message: str, now: float) -> None:
    job.training_job_status, job.secondary_status = status, secondary
    transitions = list(getattr(job, "secondary_status_transitions", None) or [])
    if transitions and "EndTime" not in transitions[-1]:
        transitions[-1]["EndTime"] = _dt(now)
    transitions.append(
        {"Status": secondary, "StartTime": _dt(now), "EndTime": _dt(now), "StatusMessage": message}
    )
    job.secondary_status_transitions = transitions
    job.training_end_time = _dt(now)
    job.last_modified_time = _dt(now)
    timeline = CONFIG.training.get(job.arn)
    ran = (now - timeline.start) if timeline else 0.0
    # Sandbox time is compressed; bill what the job would have taken for real.
    job.billable_time_in_seconds = (
        int(max(60, ran / max(CONFIG.scale, 0.001) * 30)) if status != "Failed" else 0
    )
    if status == "Completed":
        algorithm = _algorithm(job.algorithm_specification.get("TrainingImage", ""))
        metrics = FINAL_METRICS.get(algorithm, [("train:loss", 0.2113)])
        job.final_metric_data_list = [
            {"MetricName": n, "Value": v, "Timestamp": _dt(now)} for n, v in metrics
        ]
    else:
        job.final_metric_data_list = []


def _install_training() -> None:
    from moto.sagemaker import models, responses
    from moto.sagemaker.exceptions import ResourceInUseException, ValidationError
    from moto.sagemaker.models import FakeTrainingJob, SageMakerModelBackend

    original_create = SageMakerModelBackend.create_training_job

    def create_training_job(self: Any, training_job_name: str, *args: Any, **kwargs: Any) -> Any:
        if training_job_name in self.training_jobs:
            raise ResourceInUseException(
                f"Training job names must be unique within an AWS account "
                f"and region, and a training job with this name already "
                f"exists ({FakeTrainingJob.arn_formatter(training_job_name, self.account_id, self.region_name)})"
            )
        job = original_create(self, training_job_name, *args, **kwargs)
        with _lock:
            now = _now()
            CONFIG.training[job.arn] = _Timeline(
                now,
                TRAINING_SECONDS * CONFIG.scale,
                fail_reason=_missing_data(self.account_id, job),
            )
            job.creation_time = job.training_start_time = _dt(now)
            # moto creates jobs already Completed; a real job starts at the beginning.
            job.training_job_status, job.secondary_status = "InProgress", "Starting"
            _advance_training(job, now)
        return job

    def advance_all(self: Any) -> None:
        with _lock:
            now = _now()
            for job in self.training_jobs.values():
                _advance_training(job, now)

    def stop_training_job(self: Any, training_job_name: str) -> None:
        job = self.training_jobs.get(training_job_name)
        if job is None:
            raise ValidationError(
                message=f"Could not find training job "
                f"'{FakeTrainingJob.arn_formatter(training_job_name, self.account_id, self.region_name)}'."
            )
        advance_all(self)
        if job.training_job_status != "InProgress":
            raise ValidationError(
                message=f"The request was rejected because the training job is "
                f"in status {job.training_job_status}."
            )
        with _lock:
            timeline = CONFIG.training.setdefault(job.arn, _Timeline(_now(), 0))
            timeline.stop_requested_at = _now()
            _advance_training(job, _now())

    _patch(SageMakerModelBackend, "create_training_job", create_training_job)
    _advance_before(
        SageMakerModelBackend, advance_all, "describe_training_job", "list_training_jobs", "search"
    )
    _patch(SageMakerModelBackend, "stop_training_job", stop_training_job)

    def stop_training_job_response(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        self.sagemaker_backend.stop_training_job(self._get_param("TrainingJobName"))
        return EmptyResult()

    _patch(responses.SageMakerResponse, "stop_training_job", stop_training_job_response)
    del models  # only imported to make sure the module is loaded


def _missing_data(account_id: str, job: Any) -> str | None:
    """A job whose input is not in (sandbox) S3 fails while downloading, as on AWS."""
    from moto.s3.models import s3_backends

    for channel in job.input_data_config or []:
        uri = channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "")
        if not uri.startswith("s3://"):
            continue
        bucket_name, _, prefix = uri[5:].partition("/")
        backend = s3_backends[account_id]["aws"]
        bucket = backend.buckets.get(bucket_name)
        if bucket is None or not any(k.startswith(prefix) for k in bucket.keys):
            return (
                f"ClientError: Data download failed:Failed to download data. "
                f"No objects at {uri} (NoSuchKey). Please check the S3 URI."
            )
    return None


# ---------------------------------------------------------------------------- endpoints


def _install_endpoints() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker import responses
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend

    original_create = SageMakerModelBackend.create_endpoint

    def create_endpoint(
        self: Any, endpoint_name: str, endpoint_config_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        if endpoint_name in self.endpoints:
            raise ValidationError(
                message=f'Cannot create already existing endpoint "{FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)}".'
            )
        endpoint = original_create(self, endpoint_name, endpoint_config_name, *args, **kwargs)
        with _lock:
            CONFIG.endpoints[endpoint.arn] = _Timeline(_now(), ENDPOINT_SECONDS * CONFIG.scale)
            _advance_endpoint(endpoint, _now())
        return endpoint

    def advance_all(self: Any) -> None:
        with _lock:
            for endpoint in self.endpoints.values():
                _advance_endpoint(endpoint, _now())

    def update_endpoint(self: Any, endpoint_name: str, endpoint_config_name: str) -> str:
        advance_all(self)
        endpoint = self.endpoints.get(endpoint_name)
        if endpoint is None:
            raise ValidationError(message=f'Could not find endpoint "{endpoint_name}".')
        if endpoint.endpoint_status != "InService":
            raise ValidationError(message=f'Cannot update in-progress endpoint "{endpoint.arn}".')
        config = self.endpoint_configs.get(endpoint_config_name)
        if config is None:
            raise ValidationError(
                message=f'Could not find endpoint configuration "{endpoint_config_name}".'
            )
        endpoint.endpoint_config_name = endpoint_config_name
        endpoint.production_variants = endpoint._process_production_variants(
            config.production_variants
        )
        with _lock:
            CONFIG.endpoints[endpoint.arn] = _Timeline(_now(), ENDPOINT_SECONDS * CONFIG.scale)
            endpoint.endpoint_status = "Updating" if CONFIG.scale > 0 else "InService"
        return str(endpoint.arn)

    _patch(SageMakerModelBackend, "create_endpoint", create_endpoint)
    _advance_before(
        SageMakerModelBackend, advance_all, "describe_endpoint", "list_endpoints", "search"
    )
    _patch(SageMakerModelBackend, "update_endpoint", update_endpoint)

    def update_endpoint_response(self: Any) -> Any:
        arn = self.sagemaker_backend.update_endpoint(
            self._get_param("EndpointName"), self._get_param("EndpointConfigName")
        )
        return ActionResult({"EndpointArn": arn})

    _patch(responses.SageMakerResponse, "update_endpoint", update_endpoint_response)


def _advance_endpoint(endpoint: Any, now: float) -> None:
    timeline = CONFIG.endpoints.get(endpoint.arn)
    if timeline is None or endpoint.endpoint_status not in ("InService", "Creating", "Updating"):
        return
    if timeline.duration <= 0 or now - timeline.start >= timeline.duration:
        if endpoint.endpoint_status != "InService":
            endpoint.endpoint_status = "InService"
            endpoint.last_modified_time = _dt(now)
    elif endpoint.endpoint_status != "Updating":
        endpoint.endpoint_status = "Creating"  # moto made it InService at once


# ---------------------------------------------------------------------------- Autopilot


def _install_automl() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker import responses
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    original_create = SageMakerModelBackend.create_auto_ml_job_v2

    def create_auto_ml_job_v2(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Autopilot infers the problem type when it is not given; moto insists on one.
        tabular = (kwargs.get("auto_ml_problem_type_config") or {}).get("TabularJobConfig")
        if tabular is not None and "ProblemType" not in tabular:
            tabular["ProblemType"] = "BinaryClassification"
        arn = original_create(self, *args, **kwargs)
        with _lock:
            name = arn.rsplit("/", 1)[-1]
            job = self.auto_ml_jobs[name] if hasattr(self, "auto_ml_jobs") else None
            CONFIG.automl[name] = _Timeline(_now(), AUTOML_SECONDS * CONFIG.scale)
            if job is not None:
                _advance_automl(job, _now())
        return arn

    def advance_all(self: Any) -> None:
        with _lock:
            for job in getattr(self, "auto_ml_jobs", {}).values():
                _advance_automl(job, _now())

    def list_candidates(self: Any, auto_ml_job_name: str) -> list[dict[str, Any]]:
        advance_all(self)
        job = getattr(self, "auto_ml_jobs", {}).get(auto_ml_job_name)
        if job is None:
            raise ValidationError(message=f"Could not find AutoML job {auto_ml_job_name}.")
        if job.auto_ml_job_status != "Completed":
            return []
        return _candidates(job)

    _patch(SageMakerModelBackend, "create_auto_ml_job_v2", create_auto_ml_job_v2)
    _advance_before(
        SageMakerModelBackend, advance_all, "describe_auto_ml_job_v2", "list_auto_ml_jobs"
    )
    _patch(SageMakerModelBackend, "list_candidates_for_auto_ml_job", list_candidates)

    def list_candidates_response(self: Any) -> Any:
        candidates = self.sagemaker_backend.list_candidates_for_auto_ml_job(
            self._get_param("AutoMLJobName")
        )
        return ActionResult({"Candidates": candidates})

    _patch(responses.SageMakerResponse, "list_candidates_for_auto_ml_job", list_candidates_response)


def _objective(job: Any) -> tuple[str, str]:
    metric = (job.auto_ml_job_objective or {}).get("MetricName") or "F1"
    return metric, "Minimize" if metric in ("MSE", "RMSE", "MAE", "LogLoss") else "Maximize"


def _candidates(job: Any) -> list[dict[str, Any]]:
    metric, kind = _objective(job)
    base = int(hashlib.sha256(job.auto_ml_job_name.encode()).hexdigest()[:6], 16) % 50 / 1000
    values = [0.884 + base, 0.871 + base, 0.852 + base]
    created = job.creation_time
    out = []
    for i, (algo, value) in enumerate(
        zip(("xgboost", "lightgbm", "catboost"), values, strict=True)
    ):
        name = f"{job.auto_ml_job_name[:20]}-{algo}-trial-{i + 1:03d}"
        out.append(
            {
                "CandidateName": name,
                "FinalAutoMLJobObjectiveMetric": {
                    "Type": kind,
                    "MetricName": metric,
                    "Value": round(value, 4),
                    "StandardMetricName": metric,
                },
                "ObjectiveStatus": "Succeeded",
                "CandidateSteps": [
                    {
                        "CandidateStepType": "AWS::SageMaker::TrainingJob",
                        "CandidateStepArn": f"{job.arn.rsplit(':', 1)[0]}:training-job/{name}",
                        "CandidateStepName": name,
                    }
                ],
                "CandidateStatus": "Completed",
                "InferenceContainers": [
                    {
                        "Image": f"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-{algo}:1",
                        "ModelDataUrl": f"{job.output_data_config.get('S3OutputPath', 's3://out')}/{name}/model.tar.gz",
                        "Environment": {},
                    }
                ],
                "CreationTime": created,
                "EndTime": job.end_time,
                "LastModifiedTime": job.end_time,
            }
        )
    return out


def _advance_automl(job: Any, now: float) -> None:
    timeline = CONFIG.automl.get(job.auto_ml_job_name)
    if timeline is None or job.auto_ml_job_status in ("Completed", "Failed", "Stopped"):
        return
    share = 1.0 if timeline.duration <= 0 else (now - timeline.start) / timeline.duration
    if share >= 1.0:
        job.auto_ml_job_status, job.auto_ml_job_secondary_status = "Completed", "Completed"
        job.end_time = job.last_modified_time = _dt(now)
        best = _candidates(job)[0]
        job.best_candidate = best
        return
    job.auto_ml_job_status = "InProgress"
    job.auto_ml_job_secondary_status = [s for s, begin in AUTOML_PHASES if share >= begin][-1]
    job.best_candidate = None
    job.end_time = None


# ---------------------------------------------------------------------------- the rest


def _install_labeling() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker import responses

    def list_labeling_jobs(self: Any) -> Any:
        return ActionResult({"LabelingJobSummaryList": list(CONFIG.labeling_jobs)})

    _patch(responses.SageMakerResponse, "list_labeling_jobs", list_labeling_jobs)

    def list_monitoring_schedules(self: Any) -> Any:
        endpoint = self._get_param("EndpointName")
        found = [
            s
            for s in CONFIG.monitoring_schedules
            if not endpoint or s.get("EndpointName") == endpoint
        ]
        return ActionResult({"MonitoringScheduleSummaries": found})

    def list_monitoring_executions(self: Any) -> Any:
        name = self._get_param("MonitoringScheduleName")
        after = self._get_param("ScheduledTimeAfter")
        if isinstance(after, datetime):  # moto already parsed the timestamp
            after_dt: datetime | None = after if after.tzinfo else after.replace(tzinfo=UTC)
        else:
            after_dt = datetime.fromtimestamp(float(after), UTC) if after is not None else None
        found = [
            e
            for e in CONFIG.monitoring_executions
            if (not name or e["MonitoringScheduleName"] == name)
            and (after_dt is None or e["ScheduledTime"] >= after_dt)
        ]
        found.sort(key=lambda e: e["ScheduledTime"], reverse=True)
        return ActionResult({"MonitoringExecutionSummaries": found})

    _patch(responses.SageMakerResponse, "list_monitoring_schedules", list_monitoring_schedules)
    _patch(responses.SageMakerResponse, "list_monitoring_executions", list_monitoring_executions)


def _service_names() -> dict[str, str]:
    """Cost Explorer's service names: the bot's own table, and two more the demo bills for."""
    from intents.costs import CE_SERVICES

    return {**CE_SERVICES, "cloudwatch": "AmazonCloudWatch", "lambda": "AWS Lambda"}


SERVICE_NAMES = _service_names()


def _install_metrics() -> None:
    """ListMetrics lists each metric once, as CloudWatch does; moto compares dimensions
    pairwise and lists a metric with two dimensions once per data point (360 times for
    three hours of an endpoint's per-minute Invocations), which the bot then parses."""
    from moto.cloudwatch.models import CloudWatchBackend

    def get_filtered_metrics(
        self: Any, metric_name: str, namespace: str, dimensions: list[dict[str, str]]
    ) -> list[Any]:
        seen: set[tuple[str, str, frozenset[tuple[str, str]]]] = set()
        found = []
        for metric in self.get_all_metrics():
            key = (
                metric.namespace,
                metric.name,
                frozenset((d.name, d.value) for d in metric.dimensions),
            )
            if key in seen or not metric.filter(namespace, metric_name, dimensions):
                continue
            seen.add(key)
            found.append(metric)
        return found

    _patch(CloudWatchBackend, "get_filtered_metrics", get_filtered_metrics)


def _install_costs() -> None:
    from moto.ce.models import CostExplorerBackend
    from moto.ce.responses import CostExplorerResponse

    def get_cost_and_usage(self: Any, body: str) -> dict[str, Any]:
        request = json.loads(body)
        granularity = request.get("Granularity", "DAILY")
        if granularity == "HOURLY":
            return _hourly_costs(request)
        start = date.fromisoformat(request["TimePeriod"]["Start"])
        end = date.fromisoformat(request["TimePeriod"]["End"])
        metrics = request.get("Metrics") or ["UnblendedCost"]
        grouped = any(g.get("Key") == "SERVICE" for g in request.get("GroupBy") or [])
        wanted = set((request.get("Filter") or {}).get("Dimensions", {}).get("Values") or [])
        periods: list[tuple[date, date]] = []
        cursor = start
        while cursor < end:
            if granularity == "MONTHLY":
                nxt = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
            else:
                nxt = cursor + timedelta(days=1)
            periods.append((cursor, min(nxt, end)))
            cursor = nxt
        results = []
        for a, b in periods:
            totals: dict[str, float] = {}
            day = a
            while day < b:
                for service, amount in CONFIG.costs.get(day, {}).items():
                    if wanted and service not in wanted:
                        continue
                    totals[service] = totals.get(service, 0.0) + amount
                day += timedelta(days=1)
            entry: dict[str, Any] = {
                "TimePeriod": {"Start": a.isoformat(), "End": b.isoformat()},
                "Estimated": b >= date.today(),
            }
            if grouped:
                entry["Total"] = {}
                entry["Groups"] = [
                    {
                        "Keys": [s],
                        "Metrics": {m: {"Amount": f"{v:.10f}", "Unit": "USD"} for m in metrics},
                    }
                    for s, v in sorted(totals.items(), key=lambda x: -x[1])
                ]
            else:
                total = sum(totals.values())
                entry["Total"] = {m: {"Amount": f"{total:.10f}", "Unit": "USD"} for m in metrics}
                entry["Groups"] = []
            results.append(entry)
        return {"ResultsByTime": results, "DimensionValueAttributes": []}

    _patch(CostExplorerBackend, "get_cost_and_usage", get_cost_and_usage)
    _patch(CostExplorerResponse, "get_cost_forecast", _cost_forecast)
    _patch(CostExplorerResponse, "get_anomalies", _anomalies)


def _hourly_costs(request: dict[str, Any]) -> dict[str, Any]:
    """HOURLY granularity, as for an account that turned hourly data on: each day's seeded
    cost spread evenly over its hours, up to now."""
    start = datetime.fromisoformat(request["TimePeriod"]["Start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(request["TimePeriod"]["End"].replace("Z", "+00:00"))
    now = _dt(_now())
    results = []
    hour = start
    while hour < end:
        amounts = CONFIG.costs.get(hour.date(), {}) if hour < now else {}
        results.append(
            {
                "TimePeriod": {
                    "Start": hour.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "End": (hour + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
                "Estimated": True,
                "Total": {},
                "Groups": [
                    {
                        "Keys": [s],
                        "Metrics": {"UnblendedCost": {"Amount": f"{v / 24:.10f}", "Unit": "USD"}},
                    }
                    for s, v in amounts.items()
                ],
            }
        )
        hour += timedelta(hours=1)
    return {"ResultsByTime": results, "DimensionValueAttributes": []}


def _cost_forecast(self: Any) -> str:
    """GetCostForecast from the seeded costs: the last 14 days' average per day (of the
    service asked for), with a ±12 % range."""
    request = json.loads(self.body)
    start = date.fromisoformat(request["TimePeriod"]["Start"])
    end = date.fromisoformat(request["TimePeriod"]["End"])
    wanted = set((request.get("Filter") or {}).get("Dimensions", {}).get("Values") or [])
    recent = [
        sum(
            v
            for k, v in CONFIG.costs.get(start - timedelta(days=i), {}).items()
            if not wanted or k in wanted
        )
        for i in range(1, 15)
    ]
    mean = sum(recent) / len(recent) if recent else 0.0
    days = []
    day = start
    while day < end:
        days.append(
            {
                "TimePeriod": {
                    "Start": day.isoformat(),
                    "End": (day + timedelta(days=1)).isoformat(),
                },
                "MeanValue": f"{mean:.4f}",
                "PredictionIntervalLowerBound": f"{mean * 0.88:.4f}",
                "PredictionIntervalUpperBound": f"{mean * 1.12:.4f}",
            }
        )
        day += timedelta(days=1)
    total = mean * len(days)
    return json.dumps(
        {"Total": {"Amount": f"{total:.4f}", "Unit": "USD"}, "ForecastResultsByTime": days}
    )


def _anomalies(self: Any) -> str:
    """GetAnomalies from the seeded anomalies whose start falls in the date interval."""
    request = json.loads(self.body)
    interval = request.get("DateInterval") or {}
    first = date.fromisoformat(interval["StartDate"][:10])
    last = date.fromisoformat((interval.get("EndDate") or date.today().isoformat())[:10])
    found = [
        a
        for a in CONFIG.anomalies
        if first <= date.fromisoformat(a["AnomalyStartDate"][:10]) <= last
    ]
    return json.dumps({"Anomalies": found})


def _install_invoke() -> None:
    from moto.core.exceptions import ServiceException
    from moto.sagemaker.models import sagemaker_backends
    from moto.sagemakerruntime import responses

    class ValidationError(ServiceException):
        code = "ValidationError"

    class ModelError(ServiceException):
        code = "ModelError"

    def invoke_endpoint(self: Any) -> Any:
        params = self._get_params()
        name = params.get("EndpointName") or self.path.split("/")[2]
        backend = sagemaker_backends[self.current_account][self.region]
        endpoint = backend.endpoints.get(name)
        if endpoint is None:
            raise ValidationError(f"Endpoint {name} of account {self.current_account} not found.")
        if endpoint.endpoint_status != "InService":
            raise ValidationError(
                f"Endpoint {name} is not in service (status {endpoint.endpoint_status})."
            )
        body = self.body if isinstance(self.body, bytes) else str(self.body).encode()
        content_type = self.headers.get("Content-Type", "text/csv")
        digest = int(hashlib.sha256(name.encode() + body).hexdigest()[:8], 16)
        score = round((digest % 10000) / 10000, 4)
        variant = (endpoint.production_variants or [{"VariantName": "AllTraffic"}])[0][
            "VariantName"
        ]
        if b"__model_error__" in body:
            raise ModelError(
                "Received client error (400) from primary with message "
                '"unable to evaluate payload provided".'
            )
        if "json" in content_type:
            try:
                parsed = json.loads(body)
            except ValueError:
                raise ModelError(
                    "Received client error (415) from primary with message "
                    '"could not parse JSON payload".'
                ) from None
            rows = parsed.get("instances", [parsed]) if isinstance(parsed, dict) else parsed
            count = (
                len(rows)
                if isinstance(rows, list) and rows and isinstance(rows[0], list | dict)
                else 1
            )
            out = json.dumps(
                {
                    "predictions": [
                        {
                            "score": round((score + i * 0.137) % 1, 4),
                            "predicted_label": int((score + i * 0.137) % 1 >= 0.5),
                        }
                        for i in range(count)
                    ]
                }
            )
            return (
                200,
                {"Content-Type": "application/json", "x-Amzn-Invoked-Production-Variant": variant},
                out,
            )
        lines = [line for line in body.decode(errors="replace").splitlines() if line.strip()] or [
            ""
        ]
        out = "\n".join(f"{(score + i * 0.137) % 1:.4f}" for i in range(len(lines)))
        return (
            200,
            {
                "Content-Type": "text/csv; charset=utf-8",
                "x-Amzn-Invoked-Production-Variant": variant,
            },
            out,
        )

    _patch(responses.SageMakerRuntimeResponse, "invoke_endpoint", invoke_endpoint)


_POSITIVE = set(
    [
        "good",
        "great",
        "love",
        "loved",
        "excellent",
        "amazing",
        "fantastic",
        "happy",
        "thrilled",
        "awesome",
        "nice",
        "fast",
        "helpful",
        "perfect",
        "wonderful",
        "best",
        "thanks",
        "fixed",
        "works",
        "smooth",
    ]
)
_NEGATIVE = set(
    [
        "bad",
        "late",
        "broken",
        "slow",
        "worst",
        "terrible",
        "awful",
        "hate",
        "angry",
        "disaster",
        "confusing",
        "never",
        "waiting",
        "wrong",
        "failed",
        "fail",
        "error",
        "crash",
        "useless",
        "disappointed",
        "forever",
    ]
)
IMAGE_LABELS = {  # labels the sandbox knows for its demo images, by words in the key
    "cat": [
        ("Cat", 98.7, ["Pet", "Animal", "Mammal"]),
        ("Pet", 98.7, ["Animal"]),
        ("Animal", 98.7, []),
        ("Kitten", 87.2, ["Cat", "Pet", "Animal"]),
        ("Whiskers", 74.1, []),
    ],
}
TRANSCRIPTS = {  # what the demo recordings say
    "standup.mp3": "Good morning everyone. Quick standup: the churn model retrain finished overnight with an "
    "AUC of 0.91. The fraud detector is throwing five hundred errors since about six, so Dana "
    "is looking at the endpoint logs. Please shut down notebooks you are not using.",
}


def _install_ai() -> None:
    """Comprehend, Rekognition and Transcribe answer from the text and the demo data, not a canned reply."""
    from moto.comprehend import responses as comprehend_responses
    from moto.rekognition import responses as rekognition_responses
    from moto.s3.models import s3_backends
    from moto.transcribe.models import FakeTranscriptionJob

    def detect_dominant_language(self: Any) -> str:
        return json.dumps({"Languages": [{"LanguageCode": "en", "Score": 0.99}]})

    def detect_sentiment(self: Any) -> str:
        words = re.findall(r"[a-z']+", str(self._get_param("Text")).lower())
        pos, neg = sum(w in _POSITIVE for w in words), sum(w in _NEGATIVE for w in words)
        if "not bad" in " ".join(words):
            pos, neg = pos + 1, max(0, neg - 1)
        label = "MIXED" if pos and neg else "POSITIVE" if pos else "NEGATIVE" if neg else "NEUTRAL"
        top = 0.6 + 0.1 * min(3, abs(pos - neg)) if label != "MIXED" else 0.55
        rest = (1 - top) / 3
        scores = {k: rest for k in ("Positive", "Negative", "Neutral", "Mixed")}
        scores[label.capitalize()] = top
        return json.dumps({"Sentiment": label, "SentimentScore": scores})

    _patch(
        comprehend_responses.ComprehendResponse,
        "detect_dominant_language",
        detect_dominant_language,
    )
    _patch(comprehend_responses.ComprehendResponse, "detect_sentiment", detect_sentiment)

    original_labels = rekognition_responses.RekognitionResponse.detect_labels

    def detect_labels(self: Any) -> Any:
        image = self._get_param("Image") or {}
        key = str((image.get("S3Object") or {}).get("Name", "")).lower()
        for word, labels in IMAGE_LABELS.items():
            if word in key:
                return json.dumps(
                    {
                        "LabelModelVersion": "3.0",
                        "Labels": [
                            {
                                "Name": n,
                                "Confidence": c,
                                "Parents": [{"Name": p} for p in parents],
                                "Instances": [],
                            }
                            for n, c, parents in labels
                        ],
                    }
                )
        return original_labels(self)

    _patch(rekognition_responses.RekognitionResponse, "detect_labels", detect_labels)

    original_advance = FakeTranscriptionJob.advance

    def advance(self: Any) -> None:
        before = self.status
        original_advance(self)
        if before == self.status or self.status != "COMPLETED" or not self._output_bucket_name:
            return
        media = self.media["MediaFileUri"]
        text = TRANSCRIPTS.get(media.rsplit("/", 1)[-1])
        if text is None:
            self.status, self.failure_reason = (
                "FAILED",
                (
                    "The offline sandbox has no speech recognition; only its demo recordings have transcripts."
                ),
            )
            return
        key = self.output_key or f"{self.transcription_job_name}.json"
        document = {
            "jobName": self.transcription_job_name,
            "status": "COMPLETED",
            "results": {"transcripts": [{"transcript": text}], "items": []},
        }
        s3_backends[self._account_id]["aws"].put_object(
            self._output_bucket_name, key, json.dumps(document).encode()
        )

    _patch(FakeTranscriptionJob, "advance", advance)


def atomic_dynamodb() -> None:
    """Make moto apply each DynamoDB write (its condition check and its change) under one
    lock, as DynamoDB does per item; idempotent."""
    global _dynamodb_atomic
    from moto.dynamodb.models import DynamoDBBackend

    with _lock:
        if _dynamodb_atomic:
            return
        writes = threading.RLock()  # a transaction calls the single-item writes
        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            original = getattr(DynamoDBBackend, name)

            def write(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                with writes:
                    return _original(self, *args, **kwargs)

            _patch(DynamoDBBackend, name, write)
        _dynamodb_atomic = True


# ---------------------------------------------------------------------------- Studio


_APP_SUMMARY = (
    "DomainId",
    "UserProfileName",
    "SpaceName",
    "AppType",
    "AppName",
    "Status",
    "CreationTime",
    "ResourceSpec",
)


def _install_studio() -> None:
    """ListApps, DescribeApp, DeleteApp and ListSpaces from the seeded Studio domain."""
    from moto.core.responses import ActionResult
    from moto.sagemaker import responses
    from moto.sagemaker.exceptions import ValidationError

    def find(self: Any) -> dict[str, Any]:
        wanted = {
            k: self._get_param(k)
            for k in ("DomainId", "AppType", "AppName", "SpaceName", "UserProfileName")
        }
        for app in CONFIG.studio_apps:
            if all(app.get(k) == v for k, v in wanted.items() if v):
                return app
        raise ValidationError(message=f"RecordNotFound: app {wanted['AppName']} does not exist")

    def list_apps(self: Any) -> Any:
        with _lock:
            apps = [{k: a[k] for k in _APP_SUMMARY if k in a} for a in CONFIG.studio_apps]
        return ActionResult({"Apps": apps})

    def describe_app(self: Any) -> Any:
        with _lock:
            return ActionResult(dict(find(self)))

    def delete_app(self: Any) -> Any:
        with _lock:
            app = find(self)
            if app["Status"] in ("Deleted", "Deleting"):
                raise ValidationError(message=f"App {app['AppName']} is already {app['Status']}")
            app["Status"] = "Deleted"
        return ActionResult({})

    def list_spaces(self: Any) -> Any:
        with _lock:
            return ActionResult({"Spaces": list(CONFIG.studio_spaces)})

    for name, fn in (
        ("list_apps", list_apps),
        ("describe_app", describe_app),
        ("delete_app", delete_app),
        ("list_spaces", list_spaces),
    ):
        _patch(responses.SageMakerResponse, name, fn)


def answer_trusted_advisor(client: Any) -> None:
    """The sandbox's Trusted Advisor (moto has none): ListRecommendations answered from the
    seeded recommendations, or the error an account without Business support gets."""
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    def handler(model: Any, **_: Any) -> Any:
        if model.name != "ListRecommendations":
            return None
        if CONFIG.advice is None:
            error = {
                "Code": "AccessDeniedException",
                "Message": "Access denied due to support level",
            }
            return AWSResponse("", 403, HTTPHeaders(), None), {"Error": error}
        return AWSResponse("", 200, HTTPHeaders(), None), {
            "recommendationSummaries": list(CONFIG.advice)
        }

    client.meta.events.register("before-call.trustedadvisor", handler)


def install(*, scale: float = 1.0, clock: Callable[[], float] | None = None) -> Config:
    """Extend moto in this process (once); later calls only change the time scale."""
    global _installed
    with _lock:
        CONFIG.scale = scale
        if clock is not None:
            CONFIG.clock = clock
        if not _installed:
            _install_training()
            _install_endpoints()
            _install_automl()
            _install_labeling()
            _install_metrics()
            _install_costs()
            _install_invoke()
            _install_ai()
            _install_studio()
            atomic_dynamodb()
            _installed = True
    return CONFIG


def uninstall() -> None:
    """Give moto back its own behaviour (tests that use plain moto run after the sandbox)."""
    global _installed, _dynamodb_atomic
    with _lock:
        _dynamodb_atomic = False
        while _originals:
            owner, name, original = _originals.pop()
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        _installed = False
        reset()


def reset() -> None:
    with _lock:
        CONFIG.training.clear()
        CONFIG.endpoints.clear()
        CONFIG.automl.clear()
        CONFIG.labeling_jobs.clear()
        CONFIG.monitoring_schedules.clear()
        CONFIG.monitoring_executions.clear()
        CONFIG.costs.clear()
        CONFIG.anomalies.clear()
        CONFIG.studio_apps.clear()
        CONFIG.studio_spaces.clear()
        CONFIG.advice = []
