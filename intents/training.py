"""SageMaker training: status of jobs (start, stop, Autopilot and listings live alongside)."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.aws import is_not_found, paginate
from intents.base import NotFound, Request, Router
from intents.endpoints import check_name
from intents.reply import Context, Header, Md, Reply, Section, bold, code, fields, lines, md

if TYPE_CHECKING:
    from bot.deps import Deps

router = Router("training")

STATUS_ICONS = {
    "InProgress": ":large_blue_circle:", "Completed": ":white_check_mark:", "Failed": ":x:",
    "Stopping": ":double_vertical_bar:", "Stopped": ":black_square_for_stop:",
}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _when(value: datetime | None) -> str:
    return value.strftime("%b %d %H:%M UTC") if value else "–"


def algorithm_of(image: str) -> str:
    """'683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' -> 'xgboost'."""
    repo = image.rsplit("/", 1)[-1].split(":", 1)[0]
    return repo.removeprefix("sagemaker-") or image


def describe_training_job(deps: Deps, name: str) -> dict[str, Any]:
    try:
        return dict(deps.aws.sagemaker.describe_training_job(TrainingJobName=name))
    except ClientError as exc:
        if is_not_found(exc):
            raise NotFound(f"There is no training job named {name}.", hint=_suggest(deps, name)) from None
        raise


def _suggest(deps: Deps, name: str) -> str:
    names = [j["TrainingJobName"] for j in paginate(
        deps.aws.sagemaker, "list_training_jobs", "TrainingJobSummaries", limit=200,
        SortBy="CreationTime", SortOrder="Descending")]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    return ("Did you mean " + " or ".join(close) + "?") if close else "Say 'training status' to see the latest jobs."


def job_details(job: dict[str, Any]) -> tuple[tuple[str, Md], ...]:
    resources = job.get("ResourceConfig", {})
    start, end = job.get("TrainingStartTime"), job.get("TrainingEndTime")
    elapsed = (end - start).total_seconds() if start and end else None
    channels = job.get("InputDataConfig", [])
    data = channels[0].get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "–") if channels else "–"
    info: dict[str, object] = {
        "Status": md("{i} {s} ({d})", i=Md(STATUS_ICONS.get(job.get("TrainingJobStatus", ""), "")),
                     s=job.get("TrainingJobStatus", "?"), d=job.get("SecondaryStatus", "")),
        "Algorithm": algorithm_of(job.get("AlgorithmSpecification", {}).get("TrainingImage", "") or "custom"),
        "Instances": f"{resources.get('InstanceType', '?')} × {resources.get('InstanceCount', 1)}",
        "Dataset": code(data),
        "Created": _when(job.get("CreationTime")),
        "Training time": duration(elapsed),
    }
    if job.get("BillableTimeInSeconds") is not None:
        info["Billable time"] = duration(job["BillableTimeInSeconds"])
    output = job.get("ModelArtifacts", {}).get("S3ModelArtifacts")
    if output:
        info["Model artifacts"] = code(output)
    return fields(info)


def metrics_line(job: dict[str, Any]) -> Md | None:
    metrics = [m for m in job.get("FinalMetricDataList", []) if not m["MetricName"].endswith(":progress")]
    if not metrics:
        return None
    return Md(" · ".join(md("{n} = {v}", n=bold(m["MetricName"]), v=f"{m['Value']:.4g}") for m in metrics))


@router.intent("TrainingStatus", example="how is training job churn-xgb-001 going?")
def training_status(request: Request, deps: Deps) -> Reply:
    """The latest training jobs, or one job in detail."""
    name = request.slot("jobName")
    if name:
        job = describe_training_job(deps, check_name(name, "training job"))
        blocks: list[Any] = [Header(f"Training job {name}")]
        if job.get("FailureReason"):
            blocks.append(Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
        blocks.append(Section(fields=job_details(job)))
        metrics = metrics_line(job)
        if metrics:
            blocks.append(Section(md("*Final metrics:* {m}", m=metrics)))
        summary = f"{name}: {job.get('TrainingJobStatus')} ({job.get('SecondaryStatus', '')})"
        return Reply(summary=summary, blocks=tuple(blocks))
    jobs = sorted(paginate(deps.aws.sagemaker, "list_training_jobs", "TrainingJobSummaries", limit=10,
                           SortBy="CreationTime", SortOrder="Descending"),
                  key=lambda j: j["CreationTime"], reverse=True)
    if not jobs:
        return Reply.text(md("No training jobs in {r} yet. Try {e}.", r=deps.aws.region,
                             e=code("train xgboost on s3://bucket/train.csv")))
    rows = []
    for j in jobs:
        end = j.get("TrainingEndTime")
        took = duration((end - j["CreationTime"]).total_seconds()) if end else "running"
        rows.append(md("{i} {n} · {s} · started {w} · {t}",
                       i=Md(STATUS_ICONS.get(j["TrainingJobStatus"], "")), n=bold(j["TrainingJobName"]),
                       s=j["TrainingJobStatus"], w=_when(j["CreationTime"]), t=took))
    running = sum(1 for j in jobs if j["TrainingJobStatus"] == "InProgress")
    return Reply(
        summary=f"Latest {len(jobs)} training jobs, {running} in progress",
        blocks=(Header("Latest training jobs"), Section(lines(*rows)),
                Context(md("Ask about one job for details, e.g. {e}",
                           e=code(f"how is {jobs[0]['TrainingJobName']} going?")))),
    )
