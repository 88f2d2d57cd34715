"""Every kind of job by name: SageMaker training, processing, batch transform, tuning,
Autopilot, compilation (Neo) and labeling (Ground Truth), and Glue ETL jobs.

A name given to TrainingStatus may be any of them: :func:`find_job` tries each kind, and
the reply shows what matters for that kind (a labeling job's counters, a compilation's
target device, a tuning job's best training job so far, a transform's input and output).
A job still running is followed in the thread it was asked about, and the thread is about
it from then on ("stop it", "deploy it"). ListJobs lists every kind, and shows the detail
of the one job of a kind that is running.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.aws import (
    SAGEMAKER_PAGE,
    error_code,
    is_not_found,
    items,
    listing,
    page_size,
    summarize,
    translate,
)
from intents.base import Approved, Progress, Request
from intents.errors import InvalidInput, NotFound, UserError
from intents.glue import GLUE_KIND, describe_glue_job, glue_detail, resolve_dataset
from intents.guardrails import (
    check_bucket,
    check_instance_count,
    check_instance_type,
    check_kms,
    check_runtime,
    instance_count_in,
    parse_s3,
    require_dataset,
    runtime_in,
)
from intents.pricing import hourly_price, money, pricing_client
from intents.registry import Router
from intents.reply import (
    Block,
    Context,
    Divider,
    FileOut,
    Header,
    Md,
    Proposal,
    Reply,
    Risk,
    Section,
    bold,
    code,
    fields,
    lines,
    link,
    md,
)
from intents.resources import (
    REQUESTED_BY,
    _suggest,
    check_name,
    console_url,
    describe,
    job_name,
    made_for,
    resource_tags,
    security_fields,
    tags,
)
from intents.status import is_active, is_done, status_icon, status_text
from intents.tables import csv_file
from intents.training import (
    _when,
    duration,
    job_details,
    metrics_line,
    run_stop_training,
    status_line,
    stop_training,
)

if TYPE_CHECKING:
    from types_boto3_sagemaker import SageMakerClient
    from types_boto3_sagemaker.type_defs import (
        TransformOutputTypeDef,
        TransformResourcesTypeDef,
    )

    from intents.deps import Deps

router = Router("training")


# ---------------------------------------------------------------------------- the kinds


def _elapsed(job: Mapping[str, Any], start_key: str, end_key: str) -> str:
    start, end = job.get(start_key) or job.get("CreationTime"), job.get(end_key)
    return duration((end - start).total_seconds()) if start and end else "–"


def _s3(value: object) -> Md:
    return code(value) if value else md("–")


def _training_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    if job.get("FailureReason"):
        blocks.append(Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
    blocks.append(Section(fields=job_details(job)))
    metrics = metrics_line(job)
    if metrics:
        blocks.append(Section(md("*Final metrics:* {m}", m=metrics)))
    if job.get("TrainingJobStatus") == "Completed":
        blocks.append(
            Context(md("Deploy its model with {c}", c=code(f"deploy {job['TrainingJobName']}")))
        )
    return blocks


def _processing_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    cluster = job.get("ProcessingResources", {}).get("ClusterConfig", {})
    inputs = [
        md("{n}: {u}", n=i.get("InputName", "?"), u=_s3(i.get("S3Input", {}).get("S3Uri")))
        for i in job.get("ProcessingInputs", [])
    ]
    outputs = [
        md("{n}: {u}", n=o.get("OutputName", "?"), u=_s3(o.get("S3Output", {}).get("S3Uri")))
        for o in job.get("ProcessingOutputConfig", {}).get("Outputs", [])
    ]
    image = str(job.get("AppSpecification", {}).get("ImageUri", "")).rsplit("/", 1)[-1]
    info = {
        "Status": md(
            "{i} {s}",
            i=status_icon(job.get("ProcessingJobStatus")),
            s=status_text(job.get("ProcessingJobStatus")),
        ),
        "Container": code(image) if image else md("–"),
        "Instances": f"{cluster.get('InstanceType', '?')} × {cluster.get('InstanceCount', 1)}",
        "Inputs": lines(*inputs) if inputs else md("–"),
        "Outputs": lines(*outputs) if outputs else md("–"),
        "Created": _when(job.get("CreationTime")),
        "Ran for": _elapsed(job, "ProcessingStartTime", "ProcessingEndTime"),
    }
    blocks: list[Block] = []
    reason = job.get("FailureReason") or job.get("ExitMessage")
    if reason and job.get("ProcessingJobStatus") == "Failed":
        blocks.append(Section(md(":x: *Failure reason:* {r}", r=reason)))
    blocks.append(Section(fields=fields(info)))
    return blocks


def _transform_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    resources = job.get("TransformResources", {})
    source = job.get("TransformInput", {}).get("DataSource", {}).get("S3DataSource", {})
    info = {
        "Status": md(
            "{i} {s}",
            i=status_icon(job.get("TransformJobStatus")),
            s=status_text(job.get("TransformJobStatus")),
        ),
        "Model": code(job.get("ModelName", "?")),
        "Instances": f"{resources.get('InstanceType', '?')} × {resources.get('InstanceCount', 1)}",
        "Input": _s3(source.get("S3Uri")),
        "Output": _s3(job.get("TransformOutput", {}).get("S3OutputPath")),
        "Created": _when(job.get("CreationTime")),
        "Ran for": _elapsed(job, "TransformStartTime", "TransformEndTime"),
    }
    blocks: list[Block] = []
    if job.get("FailureReason"):
        blocks.append(Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
    blocks.append(Section(fields=fields(info)))
    return blocks


def _tuning_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    config = job.get("HyperParameterTuningJobConfig", {})
    objective = config.get("HyperParameterTuningJobObjective", {})
    limits = config.get("ResourceLimits", {})
    counters = job.get("TrainingJobStatusCounters", {})
    done = counters.get("Completed", 0)
    failed = counters.get("NonRetryableError", 0) + counters.get("RetryableError", 0)
    info: dict[str, object] = {
        "Status": md(
            "{i} {s}",
            i=status_icon(job.get("HyperParameterTuningJobStatus")),
            s=status_text(job.get("HyperParameterTuningJobStatus")),
        ),
        "Objective": md(
            "{k} {m}",
            k=str(objective.get("Type", "")).lower() or "?",
            m=code(objective.get("MetricName", "?")),
        ),
        "Training jobs": f"{done} completed, {counters.get('InProgress', 0)} running, {failed} failed "
        f"of at most {limits.get('MaxNumberOfTrainingJobs', '?')} "
        f"({limits.get('MaxParallelTrainingJobs', '?')} at a time)",
        "Strategy": config.get("Strategy", "–"),
        "Created": _when(job.get("CreationTime")),
    }
    best = job.get("BestTrainingJob")
    blocks: list[Block] = [Section(fields=fields(info))]
    if best:
        metric = best.get("FinalHyperParameterTuningJobObjectiveMetric", {})
        tuned = best.get("TunedHyperParameters", {})
        blocks.append(
            Section(
                md(
                    ":trophy: *Best training job so far:* {n}{m}{h}",
                    n=code(best.get("TrainingJobName", "?")),
                    m=_with_metric(metric, ".4g"),
                    h=md(" ({p})", p=", ".join(f"{k}={v}" for k, v in sorted(tuned.items())))
                    if tuned
                    else md(""),
                )
            )
        )
    else:
        blocks.append(Context(md("No training job has finished yet, so there is no best one.")))
    if job.get("FailureReason"):
        blocks.insert(0, Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
    return blocks


def _with_metric(metric: dict[str, Any], spec: str) -> Md:
    """ " with auc = 0.9412" for a job's objective metric; nothing when it has no value yet."""
    if "Value" not in metric:
        return md("")
    return md(
        " with {k} = {v}", k=metric.get("MetricName", "?"), v=bold(format(metric["Value"], spec))
    )


def _autopilot_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    status = job.get("AutoMLJobStatus")
    secondary = job.get("AutoMLJobSecondaryStatus")
    tabular = job.get("AutoMLProblemTypeConfig", {}).get("TabularJobConfig", {})
    data = next(
        (
            c.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
            for c in job.get("AutoMLJobInputDataConfig", [])
        ),
        None,
    )
    shown = status_text(status)
    if secondary and status_text(secondary) != shown:
        shown += f" ({status_text(secondary)})"
    info: dict[str, object] = {
        "Status": md("{i} {s}", i=status_icon(status), s=shown),
        "Target column": code(tabular.get("TargetAttributeName", "?")),
        "Dataset": _s3(data),
        "Created": _when(job.get("CreationTime")),
    }
    best = job.get("BestCandidate")
    blocks: list[Block] = []
    if job.get("FailureReason"):
        blocks.append(Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
    blocks.append(Section(fields=fields(info)))
    if best:
        metric = best.get("FinalAutoMLJobObjectiveMetric", {})
        blocks.append(
            Section(
                md(
                    ":trophy: *Best candidate:* {n}{m}",
                    n=code(best.get("CandidateName", "?")),
                    m=_with_metric(metric, ".4f"),
                )
            )
        )
        if status == "Completed":
            blocks.append(
                Context(
                    md(
                        "Deploy it with {c}",
                        c=code(f"deploy the best candidate of {job['AutoMLJobName']}"),
                    )
                )
            )
    return blocks


def _compilation_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    output = job.get("OutputConfig", {})
    platform = output.get("TargetPlatform") or {}
    target = output.get("TargetDevice") or " ".join(
        str(platform.get(k, "")) for k in ("Os", "Arch", "Accelerator") if platform.get(k)
    )
    source = job.get("InputConfig", {})
    status = job.get("CompilationJobStatus")
    info: dict[str, object] = {
        "Status": md("{i} {s}", i=status_icon(status), s=status_text(status)),
        "Target device": code(target) if target else md("–"),
        "Framework": source.get("Framework") or "–",
        "Model": _s3(source.get("S3Uri")),
        "Output": _s3(
            job.get("ModelArtifacts", {}).get("S3ModelArtifacts")
            if status_text(status) == "Completed"
            else output.get("S3OutputLocation")
        ),
        "Created": _when(job.get("CreationTime")),
        "Ran for": _elapsed(job, "CompilationStartTime", "CompilationEndTime"),
    }
    blocks: list[Block] = []
    if job.get("FailureReason"):
        blocks.append(Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
    blocks.append(Section(fields=fields(info)))
    return blocks


def labeling_progress(counters: Mapping[str, Any]) -> Md:
    """'1,840 of 4,003 labeled (46%): 1,210 by people, 630 by the machine · 2,160 pending ·
    3 failed'; for a job with no counters yet, says so."""
    labeled = int(counters.get("TotalLabeled", 0) or 0)
    pending = int(counters.get("Unlabeled", 0) or 0)
    failed = int(counters.get("FailedNonRetryableError", 0) or 0)
    total = labeled + pending + failed
    if not total:
        return md("No items counted yet: the job has not sent anything to be labeled so far.")
    return md(
        "{l} of {t} labeled ({p:.0%}): {h} by people, {m} by the machine · {u} pending · {f} failed",
        l=f"{labeled:,}",
        t=f"{total:,}",
        p=labeled / total,
        h=f"{int(counters.get('HumanLabeled', 0) or 0):,}",
        m=f"{int(counters.get('MachineLabeled', 0) or 0):,}",
        u=f"{pending:,}",
        f=f"{failed:,}",
    )


def _labeling_detail(deps: Deps, job: dict[str, Any]) -> list[Block]:
    status = job.get("LabelingJobStatus")
    human = job.get("HumanTaskConfig", {})
    workteam = str(human.get("WorkteamArn", "")).rsplit("/", 1)[-1]
    manifest = job.get("InputConfig", {}).get("DataSource", {}).get("S3DataSource", {})
    info: dict[str, object] = {
        "Status": md("{i} {s}", i=status_icon(status), s=status_text(status)),
        "Task": human.get("TaskTitle", "–"),
        "Work team": workteam or "–",
        "Automated labeling": "on" if job.get("LabelingJobAlgorithmsConfig") else "off",
        "Input manifest": _s3(manifest.get("ManifestS3Uri")),
        "Output": _s3(job.get("OutputConfig", {}).get("S3OutputPath")),
        "Created": _when(job.get("CreationTime")),
    }
    blocks: list[Block] = []
    if job.get("FailureReason"):
        blocks.append(Section(md(":x: *Failure reason:* {r}", r=job["FailureReason"])))
    blocks.append(
        Section(md("*Progress:* {p}", p=labeling_progress(job.get("LabelCounters") or {})))
    )
    blocks.append(Section(fields=fields(info)))
    return blocks


Describer = Callable[["Deps", str], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """One kind of job: how to look one up by name and what to show of it."""

    name: str  # the follow and thread-subject kind
    title: str  # "Processing job"
    describe: Describer
    status_key: str
    detail: Callable[[Deps, dict[str, Any]], list[Block]]


def _sm(call: str, arg: str) -> Describer:
    def describe(deps: Deps, name: str) -> dict[str, Any]:
        return dict(getattr(deps.aws.sagemaker, call)(**{arg: name}))

    return describe


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "training",
            "Training job",
            _sm("describe_training_job", "TrainingJobName"),
            "TrainingJobStatus",
            _training_detail,
        ),
        Kind(
            "processing",
            "Processing job",
            _sm("describe_processing_job", "ProcessingJobName"),
            "ProcessingJobStatus",
            _processing_detail,
        ),
        Kind(
            "transform",
            "Batch transform job",
            _sm("describe_transform_job", "TransformJobName"),
            "TransformJobStatus",
            _transform_detail,
        ),
        Kind(
            "tuning",
            "Hyperparameter tuning job",
            _sm("describe_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
            "HyperParameterTuningJobStatus",
            _tuning_detail,
        ),
        Kind(
            "autopilot",
            "Autopilot job",
            _sm("describe_auto_ml_job_v2", "AutoMLJobName"),
            "AutoMLJobStatus",
            _autopilot_detail,
        ),
        Kind(
            "compilation",
            "Compilation job (Neo)",
            _sm("describe_compilation_job", "CompilationJobName"),
            "CompilationJobStatus",
            _compilation_detail,
        ),
        Kind(
            "labeling",
            "Labeling job (Ground Truth)",
            _sm("describe_labeling_job", "LabelingJobName"),
            "LabelingJobStatus",
            _labeling_detail,
        ),
        Kind(GLUE_KIND, "Glue ETL job", describe_glue_job, "JobRunState", glue_detail),
    )
}


def find_job(
    deps: Deps, name: str, kinds: tuple[str, ...] | None = None
) -> tuple[Kind, dict[str, Any]]:
    """The job called *name*, of whichever kind has one (training first); NotFound, with
    close names, when none has."""
    for kind in (KINDS[k] for k in kinds or tuple(KINDS)):
        try:
            return kind, kind.describe(deps, name)
        except ClientError as exc:
            if not is_not_found(exc):
                raise
        except NotFound:
            continue
        except NotImplementedError:  # moto in-process, without the call: not this kind
            continue
    names = list(islice(_known_names(deps), 500))
    raise NotFound(
        f"There is no job named {name} (training, processing, transform, tuning, Autopilot, "
        "compilation, labeling or Glue).",
        hint=_suggest(names, name, "list jobs"),
    )


def _known_names(deps: Deps) -> Iterator[str]:
    for kind, (_title, _call, name_key, _status, list_kind) in LISTINGS.items():
        try:
            yield from (str(j[name_key]) for j in islice(list_kind(deps), 100))
        except Exception:  # a listing we may not make leaves its names out of the hint
            continue
        del kind


_JOB_NAME = re.compile(r"^[A-Za-z0-9][\w\-.]{0,254}$")


def check_job_name(name: str) -> str:
    """A job's name: SageMaker's (letters, digits, hyphens) or Glue's (also _ and .)."""
    if not _JOB_NAME.match(name):
        raise InvalidInput(
            f"{name[:70]!r} is not a valid job name.",
            hint="Job names use letters, digits, hyphens, underscores and dots.",
        )
    return name


def job_reply(deps: Deps, kind: Kind, job: dict[str, Any], name: str) -> Reply:
    """One job in detail, whatever its kind."""
    status = str(job.get(kind.status_key) or "")
    blocks: list[Block] = [Header(f"{kind.title} {name}"), *kind.detail(deps, job)]
    shown = status_line(job) if kind.name == "training" else status_text(status)
    return Reply(
        summary=f"{kind.title} {name}: {shown}",
        blocks=tuple(blocks),
        about=((kind.name, name),),
    )


@router.intent("TrainingStatus")
def training_status(request: Request, deps: Deps) -> Reply:
    """The latest training jobs, or one job of any kind in detail (followed in the thread
    while it runs)."""
    name = request.slot("jobName")
    if not name:
        return _latest_training_jobs(deps)
    kind, job = find_job(deps, check_job_name(name))
    reply = job_reply(deps, kind, job, name)
    status = str(job.get(kind.status_key) or "")
    if is_active(status) and request.thread_ts and kind.name in FOLLOWED:
        started = deps.state.follow(
            kind.name,
            name,
            channel=request.channel,
            thread_ts=request.thread_ts,
            request_id=request.id,
            interval=deps.settings.follow_min_seconds,
            now=deps.clock(),
        )
        if started:
            reply = Reply(
                summary=reply.summary,
                blocks=(*reply.blocks, Context(md("I'll post here when its status changes."))),
                about=reply.about,
            )
    return reply


def _latest_training_jobs(deps: Deps) -> Reply:
    jobs = sorted(
        items(
            deps.aws.sagemaker.get_paginator("list_training_jobs").paginate(
                SortBy="CreationTime",
                SortOrder="Descending",
                PaginationConfig=page_size(SAGEMAKER_PAGE, limit=10),
            ),
            lambda p: p.get("TrainingJobSummaries", []),
            limit=10,
        ),
        key=lambda j: j["CreationTime"],
        reverse=True,
    )
    if not jobs:
        return Reply.text(
            md(
                "No training jobs in {r} yet. Try {e}.",
                r=deps.aws.region,
                e=code("train xgboost on s3://bucket/train.csv"),
            )
        )
    rows = []
    for j in jobs:
        end = j.get("TrainingEndTime")
        took = duration((end - j["CreationTime"]).total_seconds()) if end else "running"
        rows.append(
            md(
                "{i} {n} · {s} · started {w} · {t}",
                i=status_icon(j["TrainingJobStatus"]),
                n=bold(j["TrainingJobName"]),
                s=status_text(j["TrainingJobStatus"]),
                w=_when(j["CreationTime"]),
                t=took,
            )
        )
    running = sum(1 for j in jobs if j["TrainingJobStatus"] == "InProgress")
    return Reply(
        summary=f"Latest {len(jobs)} training jobs, {running} in progress",
        blocks=(
            Header("Latest training jobs"),
            Section(lines(*rows)),
            Context(
                md(
                    "Ask about one job for details, e.g. {e}",
                    e=code(f"how is {jobs[0]['TrainingJobName']} going?"),
                )
            ),
        ),
    )


# ---------------------------------------------------------------------------- following


def _described(kind: Kind, name: str, deps: Deps) -> dict[str, Any]:
    try:
        return kind.describe(deps, name)
    except ClientError as exc:
        if is_not_found(exc):
            raise NotFound(f"There is no {kind.title.lower()} named {name}.") from None
        raise


def _progress(kind: Kind, name: str, deps: Deps, job: dict[str, Any]) -> Progress:
    """A followed job's state: its detail once it is done, a line while it moves."""
    status = str(job.get(kind.status_key) or "")
    if is_done(status):
        reply = job_reply(deps, kind, job, name)
        head = md(
            "{i} {t} {n}: {s}",
            i=status_icon(status),
            t=kind.title,
            n=bold(name),
            s=status_text(status),
        )
        return Progress(
            status,
            terminal=True,
            reply=Reply(summary=reply.summary, blocks=(Section(head), *reply.blocks[1:])),
        )
    extra = (
        md(" · {p}", p=labeling_progress(job.get("LabelCounters") or {}))
        if kind.name == "labeling"
        else md("")
    )
    return Progress(
        status,
        reply=Reply.text(
            md(
                "{i} {n}: {s}{x}",
                i=status_icon(status),
                n=bold(name),
                s=status_text(status),
                x=extra,
            )
        ),
    )


def _follower(kind: Kind) -> Callable[[str, Deps], Progress]:
    def follow(name: str, deps: Deps) -> Progress:
        return _progress(kind, name, deps, _described(kind, name, deps))

    return follow


# Kinds followed here; training and Autopilot have their own followers (intents.training),
# Glue runs theirs (intents.glue).
FOLLOWED = (
    "training",
    "autopilot",
    "processing",
    "transform",
    "tuning",
    "compilation",
    "labeling",
    GLUE_KIND,
)
for _kind in ("processing", "tuning", "compilation", "labeling"):
    router.follower(_kind)(_follower(KINDS[_kind]))


# ---------------------------------------------------------------------------- ListJobs


def _lister(call: str, key: str) -> Callable[[Deps], Iterator[Mapping[str, Any]]]:
    def listed(deps: Deps) -> Iterator[Mapping[str, Any]]:
        sm: SageMakerClient = deps.aws.sagemaker
        return items(
            sm.get_paginator(call).paginate(  # type: ignore[call-overload]
                SortBy="CreationTime",
                SortOrder="Descending",
                PaginationConfig=page_size(SAGEMAKER_PAGE),
            ),
            lambda p: p.get(key, []),
        )

    return listed


# kind -> (title, list call, name key, status key, the listing)
LISTINGS: dict[str, tuple[str, str, str, str, Callable[[Deps], Iterator[Mapping[str, Any]]]]] = {
    "training": (
        "Training",
        "list_training_jobs",
        "TrainingJobName",
        "TrainingJobStatus",
        _lister("list_training_jobs", "TrainingJobSummaries"),
    ),
    "processing": (
        "Processing",
        "list_processing_jobs",
        "ProcessingJobName",
        "ProcessingJobStatus",
        _lister("list_processing_jobs", "ProcessingJobSummaries"),
    ),
    "labeling": (
        "Labeling (Ground Truth)",
        "list_labeling_jobs",
        "LabelingJobName",
        "LabelingJobStatus",
        _lister("list_labeling_jobs", "LabelingJobSummaryList"),
    ),
    "compilation": (
        "Compilation (Neo)",
        "list_compilation_jobs",
        "CompilationJobName",
        "CompilationJobStatus",
        _lister("list_compilation_jobs", "CompilationJobSummaries"),
    ),
    "autopilot": (
        "Autopilot",
        "list_auto_ml_jobs",
        "AutoMLJobName",
        "AutoMLJobStatus",
        _lister("list_auto_ml_jobs", "AutoMLJobSummaries"),
    ),
    # Not kinds the catalog's JobKind slot names: listed with all kinds
    "transform": (
        "Batch transform",
        "list_transform_jobs",
        "TransformJobName",
        "TransformJobStatus",
        _lister("list_transform_jobs", "TransformJobSummaries"),
    ),
    "tuning": (
        "Hyperparameter tuning",
        "list_hyper_parameter_tuning_jobs",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobStatus",
        _lister("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
    ),
}
PER_KIND = 8


@router.intent("ListJobs")
def list_jobs(request: Request, deps: Deps) -> Reply:
    """SageMaker jobs of every kind (training, processing, labeling, compilation, Autopilot, batch transform, tuning), in progress first."""
    wanted = request.slot("jobKind")
    kinds = [wanted] if wanted in LISTINGS else list(LISTINGS)
    blocks: list[Block] = [
        Header("SageMaker jobs" if len(kinds) > 1 else f"{LISTINGS[kinds[0]][0]} jobs")
    ]
    active_total, partial = 0, False
    about: tuple[tuple[str, str], ...] = ()
    files: list[FileOut] = []
    for kind in kinds:
        title, call, name_key, status_key, list_kind = LISTINGS[kind]
        try:
            # Every page: the count and the "…and N more" are true totals (bounded, for an
            # account with tens of thousands of jobs).
            listed = listing(list_kind(deps), limit=MAX_LISTED)
        except Exception as exc:
            known = translate(exc, action=call)
            if known is None:
                raise
            blocks.append(Section(md("*{t}*: couldn't list them: {m}", t=title, m=known.message)))
            continue
        jobs = listed.found
        partial = partial or not listed.complete
        jobs.sort(
            key=lambda j: (
                not is_active(str(j.get(status_key, ""))),
                -(j.get("CreationTime") or datetime.min.replace(tzinfo=UTC)).timestamp(),
            )
        )
        running = [j for j in jobs if is_active(str(j.get(status_key, "")))]
        active_total += len(running)
        if not jobs:
            if len(kinds) == 1:
                blocks.append(Section(md("No {t} jobs.", t=title.lower())))
            continue
        rows = [
            md(
                "{i} {n} · {s} · {w}",
                i=status_icon(str(j.get(status_key, ""))),
                n=bold(j[name_key]),
                s=status_text(str(j.get(status_key, ""))),
                w=_when(j.get("CreationTime")),
            )
            for j in jobs[:PER_KIND]
        ]
        capped = len(jobs) >= MAX_LISTED
        more = md("")
        if len(jobs) > PER_KIND:
            attached = f"{kind}-jobs.csv"
            more = md(
                "\n…and {n}{c} more (the {w} in {f})",
                n=f"{len(jobs) - PER_KIND:,}",
                c="+" if capped else "",
                w=f"latest {len(jobs):,}" if capped else "whole list",
                f=attached,
            )
            files.append(_jobs_csv(attached, jobs, name_key, status_key))
        blocks.append(
            Section(
                lines(
                    md(
                        "*{t}* · {a} in progress, {n} listed{p}",
                        t=title,
                        a=len(running),
                        n=f"{len(jobs):,}{'+' if capped else ''}",
                        p=md(" (partial: AWS kept throttling the listing)")
                        if not listed.complete
                        else md(""),
                    ),
                    *rows,
                )
                + more
            )
        )
        # One kind asked about ("how is the labeling job going?"): the one job running (or
        # the only job there is) in detail.
        focus = running if len(running) == 1 else jobs if len(jobs) == 1 else []
        if len(kinds) == 1 and focus and listed.complete:
            name = str(focus[0][name_key])
            try:
                found, job = find_job(deps, name, (kind,))
            except Exception as exc:  # the listing stands without the detail
                if translate(exc) is None and not isinstance(exc, NotFound):
                    raise
            else:
                reply = job_reply(deps, found, job, name)
                blocks += [Divider(), *reply.blocks]
                about = reply.about
    if len(blocks) == 1:
        blocks.append(Section(md("No SageMaker jobs in {r}.", r=deps.aws.region)))
    summary = f"{active_total} SageMaker jobs in progress"
    return Reply(
        summary=summary + (" (partial: AWS kept throttling a listing)" if partial else ""),
        blocks=tuple(blocks),
        about=about,
        files=tuple(files),
    )


MAX_LISTED = 10_000  # jobs of a kind listed at most (100 pages); past it the count says "+"


def _jobs_csv(
    filename: str, jobs: list[Mapping[str, Any]], name_key: str, status_key: str
) -> FileOut:
    return csv_file(
        filename,
        ["name", "status", "created_utc"],
        [
            (
                j[name_key],
                status_text(str(j.get(status_key, ""))),
                f"{j['CreationTime']:%Y-%m-%d %H:%M}" if j.get("CreationTime") else "",
            )
            for j in jobs
        ],
    )


# ---------------------------------------------------------------------------- StartTransform

_CONTENT_TYPES = {
    "csv": "text/csv",
    "json": "application/jsonlines",
    "jsonl": "application/jsonlines",
}


@router.intent("StartTransform", requires=("output_s3_uri",))
def start_transform(request: Request, deps: Deps) -> Proposal:
    """Score a whole dataset (in S3, or a Glue table) with a model in a batch transform job, after you approve its cost."""
    settings = deps.settings
    model_name = check_name(request.slot("modelName") or "", "model")
    describe(deps, "model", model_name)  # NotFound, with close names
    dataset, table = resolve_dataset(deps, request.slot("dataset") or "", "data to score")
    check_bucket(dataset, settings, "batch transform input")
    output = parse_s3(settings.output_s3_uri or "", "output")
    check_bucket(output, settings, "batch transform output")
    check_kms(settings)
    instance = check_instance_type(
        request.slot("instanceType") or settings.default_endpoint_instance, settings, "hosting"
    )
    count = check_instance_count(instance_count_in(request.text), settings)
    runtime = check_runtime(runtime_in(request.text) or settings.max_runtime_seconds, settings)
    checked = require_dataset(deps.aws.s3, dataset)
    ending = dataset.key.rsplit(".", 1)[-1].lower() if "." in dataset.key else ""
    content_type = _CONTENT_TYPES.get(ending or (table.format if table else ""), "text/csv")
    name = job_name(model_name, request)
    price = hourly_price(instance, "hosting", region=deps.aws.region, pricing=pricing_client(deps))
    worst = count * price.hourly_usd * runtime / 3600 if price else None
    return Proposal(
        title=f"Batch transform {name}",
        summary=md(
            "Score {d} with model {m} on {i} × {n}; results go to {o}.",
            d=md("{t} ({u})", t=bold(table.ref), u=code(str(dataset)))
            if table
            else code(str(dataset)),
            m=bold(model_name),
            i=instance,
            n=count,
            o=code(f"{output}/{name}/"),
        ),
        details=fields(
            {
                "Job name": code(name),
                "Input": code(str(dataset))
                + (md(" (table {t})", t=table.ref) if table else md(""))
                + ("" if checked else md(" _(could not check: access denied)_")),
                "Content type": content_type,
                "Instances": f"{instance} × {count}",
                "Stops after": f"{runtime / 3600:g} h at most (I stop it then)",
                "Worst-case cost": md(
                    "{c} = {n} × {p}/h × {h} h ({s})",
                    c=bold(money(worst)),
                    n=count,
                    p=money(price.hourly_usd),
                    h=f"{runtime / 3600:g}",
                    s=price.source,
                )
                if price and worst is not None
                else md("unknown (no price for {i})", i=instance),
                **security_fields(deps),
            }
        ),
        params={
            "job_name": name,
            "model": model_name,
            "dataset": str(dataset),
            "content_type": content_type,
            "output": f"{output}/{name}/",
            "instance_type": instance,
            "instance_count": count,
            "max_runtime": runtime,
        },
        risk=Risk(cost_usd=worst),
    )


@router.executor("StartTransform")
def run_start_transform(approved: Approved, deps: Deps) -> Reply:
    p, settings = approved.params, deps.settings
    name = p["job_name"]
    output: TransformOutputTypeDef = {"S3OutputPath": p["output"], "AssembleWith": "Line"}
    resources: TransformResourcesTypeDef = {
        "InstanceType": p["instance_type"],
        "InstanceCount": p["instance_count"],
    }
    if settings.kms_key_id:
        output["KmsKeyId"] = resources["VolumeKmsKeyId"] = settings.kms_key_id
    try:
        deps.aws.sagemaker.create_transform_job(
            TransformJobName=name,
            ModelName=p["model"],
            BatchStrategy="MultiRecord",
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": p["dataset"]}},
                "ContentType": p["content_type"],
                "SplitType": "Line",
            },
            TransformOutput=output,
            TransformResources=resources,
            Tags=tags(approved),
        )
    except ClientError as exc:
        if error_code(exc) not in ("ResourceInUse", "ResourceInUseException"):
            raise UserError(f"SageMaker would not start {name} ({summarize(exc)}).") from None
        existing = deps.aws.sagemaker.describe_transform_job(TransformJobName=name)
        if not made_for(deps, existing.get("TransformJobArn", ""), approved):
            raise UserError(f"A batch transform job named {name} already exists.") from None
        # Ours, from a run cut short by a restart: follow it.
    deps.follow_approved(approved, "transform", name)
    return Reply(
        summary=f"Started batch transform {name}",
        blocks=(
            Section(
                md(
                    ":rocket: Started batch transform {n} with model {m}. I'll post here when it "
                    "is done, with where the results are.",
                    n=bold(name),
                    m=code(p["model"]),
                )
            ),
            Context(
                link(console_url(deps, "transform-jobs", name), "Open in the SageMaker console")
            ),
        ),
        about=(("transform", name),),
    )


def _past_its_limit(deps: Deps, job: Mapping[str, Any]) -> bool:
    """A transform job (which has no stopping condition of its own) running longer than the
    longest runtime allowed here."""
    started = job.get("TransformStartTime") or job.get("CreationTime")
    if not started or not is_active(str(job.get("TransformJobStatus"))):
        return False
    now = datetime.fromtimestamp(deps.clock(), UTC)
    return (now - started).total_seconds() > deps.settings.max_runtime_seconds


@router.follower("transform")
def follow_transform(name: str, deps: Deps) -> Progress:
    """Like the other kinds; and a transform job (which has no stopping condition of its
    own) is stopped once it runs past the longest runtime allowed here."""
    job = _described(KINDS["transform"], name, deps)
    if _past_its_limit(deps, job) and job.get("TransformJobStatus") == "InProgress":
        deps.aws.sagemaker.stop_transform_job(TransformJobName=name)
        return Progress(
            "Stopping",
            reply=Reply.text(
                md(
                    ":double_vertical_bar: Batch transform {n} ran past {h:g} h, the longest "
                    "allowed here (CHATOPS_MAX_RUNTIME_HOURS): stopping it.",
                    n=bold(name),
                    h=deps.settings.max_runtime_hours,
                )
            ),
        )
    return _progress(KINDS["transform"], name, deps, job)


# ---------------------------------------------------------------------------- StopTraining

# kind -> (SageMaker's stop call, its argument, the key of the job's ARN)
_STOPPABLE = {
    "processing": ("stop_processing_job", "ProcessingJobName", "ProcessingJobArn"),
    "transform": ("stop_transform_job", "TransformJobName", "TransformJobArn"),
    "tuning": (
        "stop_hyper_parameter_tuning_job",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobArn",
    ),
    "autopilot": ("stop_auto_ml_job", "AutoMLJobName", "AutoMLJobArn"),
}


@router.intent("StopTraining")
def stop_job(request: Request, deps: Deps) -> Proposal:
    """Stop a job that is in progress: training, processing, batch transform, tuning, Autopilot, or a Glue ETL run."""
    name = request.slot("jobName") or ""
    kind, job = find_job(deps, check_job_name(name))
    if kind.name == "training":
        return stop_training(request, deps)
    status = str(job.get(kind.status_key) or "")
    if not is_active(status):
        raise InvalidInput(
            f"{kind.title} {name} is not in progress ({status_text(status).lower()}); only a "
            "job in progress can be stopped."
        )
    owner: str | None = None
    if kind.name == GLUE_KIND:
        params: dict[str, object] = {
            "kind": GLUE_KIND,
            "job_name": name,
            "run_id": job["Runs"][0]["Id"],
        }
        started = job["Runs"][0].get("StartedOn")
    elif kind.name in _STOPPABLE:
        params = {"kind": kind.name, "job_name": name}
        owner = resource_tags(deps, str(job.get(_STOPPABLE[kind.name][2], ""))).get(REQUESTED_BY)
        started = job.get("CreationTime")
    else:
        raise InvalidInput(
            f"I can't stop a {kind.title.lower()} from here.",
            hint="Stop it in the SageMaker console.",
        )
    running = (
        (datetime.fromtimestamp(deps.clock(), UTC) - started).total_seconds() if started else None
    )
    return Proposal(
        title=f"Stop {kind.title.lower()} {name}",
        summary=md(
            "Stop {n} ({s}). What it has not finished is lost.",
            n=bold(name),
            s=status_text(status),
        ),
        details=fields({"Kind": kind.title, "Running for": duration(running)}),
        params=params,
        risk=Risk(stops_a_job=True, owner=owner or None),
    )


@router.executor("StopTraining")
def run_stop_job(approved: Approved, deps: Deps) -> Reply:
    p = approved.params
    kind = str(p.get("kind") or "training")  # plans from before other kinds: training
    if kind == "training":
        return run_stop_training(approved, deps)
    name = str(p["job_name"])
    if kind == GLUE_KIND:
        answer = deps.aws.glue.batch_stop_job_run(JobName=name, JobRunIds=[str(p["run_id"])])
        for error in answer.get("Errors", []):
            state = describe_glue_job(deps, name)["JobRunState"]
            if state not in ("STOPPING", "STOPPED"):  # already stopping (a re-run): carry on
                detail = error.get("ErrorDetail", {}).get("ErrorMessage", "")
                raise UserError(f"Glue would not stop {name} ({detail}).")
    else:
        call, argument, _arn = _STOPPABLE[kind]
        try:
            getattr(deps.aws.sagemaker, call)(**{argument: name})
        except ClientError as exc:
            if error_code(exc) != "ValidationException" or is_not_found(exc):
                raise
            state = str(KINDS[kind].describe(deps, name).get(KINDS[kind].status_key) or "")
            if state not in ("Stopping", "Stopped"):
                raise UserError(f"SageMaker would not stop {name} ({summarize(exc)}).") from None
    deps.follow_approved(approved, kind, name)
    return Reply(
        summary=f"Stopping {name}",
        blocks=(
            Section(
                md(
                    ":double_vertical_bar: Stopping {n}. I'll say here when it has stopped.",
                    n=bold(name),
                )
            ),
        ),
        about=((kind, name),),
    )
