"""SageMaker training: start, follow, stop and list jobs, and Autopilot."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from intents.algorithms import REQUIRED_FROM_USER, algorithm, image_uri, parse_hyperparameters
from intents.aws import (
    AUTOML_CANDIDATES_PAGE,
    error_code,
    is_not_found,
    items,
    page_size,
    summarize,
)
from intents.base import Approved, Progress, Request
from intents.errors import InvalidInput, NotFound, UserError
from intents.glue import resolve_dataset
from intents.guardrails import (
    S3Uri,
    check_bucket,
    check_instance_count,
    check_instance_type,
    check_kms,
    check_runtime,
    first_line,
    instance_count_in,
    parse_s3,
    require_dataset,
    runtime_in,
)
from intents.pricing import hourly_price, money, pricing_client
from intents.quantities import count_in
from intents.registry import Router
from intents.reply import (
    Context,
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
    check_name,
    console_url,
    describe,
    job_name,
    made_for,
    resource_tags,
    security_fields,
    tags,
    vpc_config,
)
from intents.settings import required
from intents.status import status_icon, status_text

if TYPE_CHECKING:
    from types_boto3_sagemaker.type_defs import (
        AutoMLCandidateTypeDef,
        AutoMLOutputDataConfigTypeDef,
        AutoMLSecurityConfigTypeDef,
        CreateAutoMLJobV2RequestTypeDef,
        OutputDataConfigTypeDef,
        ResourceConfigTypeDef,
    )

    from intents.deps import Deps

router = Router("training")


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
    return describe(deps, "training", name)


def job_details(job: dict[str, Any]) -> tuple[tuple[str, Md], ...]:
    resources = job.get("ResourceConfig", {})
    start, end = job.get("TrainingStartTime"), job.get("TrainingEndTime")
    elapsed = (end - start).total_seconds() if start and end else None
    channels = job.get("InputDataConfig", [])
    data = (
        channels[0].get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "–")
        if channels
        else "–"
    )
    info: dict[str, object] = {
        "Status": md("{i} {s}", i=status_icon(job.get("TrainingJobStatus")), s=status_line(job)),
        "Algorithm": algorithm_of(
            job.get("AlgorithmSpecification", {}).get("TrainingImage", "") or "custom"
        ),
        "Instances": f"{resources.get('InstanceType', '?')} × {resources.get('InstanceCount', 1)}",
        "Dataset": code(data),
        "Created": _when(job.get("CreationTime")),
        "Training time": duration(elapsed),
    }
    if job.get("BillableTimeInSeconds") is not None:
        info["Billable time"] = duration(job["BillableTimeInSeconds"])
    output = job.get("ModelArtifacts", {}).get("S3ModelArtifacts")
    if output and job.get("TrainingJobStatus") == "Completed":  # a failed job saved nothing
        info["Model artifacts"] = code(output)
    return fields(info)


def status_line(job: dict[str, Any]) -> str:
    """'In progress (Downloading)'; 'Completed', not 'Completed (Completed)'."""
    status = status_text(job.get("TrainingJobStatus"))
    secondary = status_text(job.get("SecondaryStatus")) if job.get("SecondaryStatus") else ""
    return f"{status} ({secondary})" if secondary and secondary != status else status


def metrics_line(job: dict[str, Any]) -> Md | None:
    metrics = [
        m for m in job.get("FinalMetricDataList", []) if not m["MetricName"].endswith(":progress")
    ]
    if not metrics:
        return None
    return Md(
        " · ".join(md("{n} = {v}", n=bold(m["MetricName"]), v=f"{m['Value']:.4g}") for m in metrics)
    )


# ---------------------------------------------------------------------------- StartTraining


def _feature_dim(deps: Deps, dataset: S3Uri, supervised: bool) -> str | None:
    header = first_line(deps.aws.s3, dataset)
    if not header or "," not in header:
        return None
    columns = len(header.split(","))
    return str(columns - 1 if supervised else columns)


@router.intent("StartTraining", requires=("sagemaker_role_arn", "output_s3_uri"))
def start_training(request: Request, deps: Deps) -> Proposal:
    """Start a training job with a built-in algorithm, after you approve its cost."""
    settings = deps.settings
    algo = algorithm(request.slot("algorithm") or "")
    dataset, table = resolve_dataset(deps, request.slot("dataset") or "")
    check_bucket(dataset, settings, "training data")
    output = parse_s3(settings.output_s3_uri or "", "output")
    check_bucket(output, settings, "training output")
    check_kms(settings)
    instance = check_instance_type(
        request.slot("instanceType") or settings.default_training_instance, settings, "training"
    )
    count = check_instance_count(instance_count_in(request.text), settings)
    runtime = check_runtime(runtime_in(request.text) or settings.max_runtime_seconds, settings)
    hyper = {**algo.defaults, **parse_hyperparameters(request.text, algo)}
    checked = require_dataset(deps.aws.s3, dataset)
    if algo.feature_dim and "feature_dim" not in hyper:
        inferred = _feature_dim(deps, dataset, algo.supervised)
        if inferred is None:
            raise InvalidInput(
                f"{algo.name} needs feature_dim and I couldn't read it from the data.",
                hint="Add feature_dim=<number of feature columns> to your message.",
            )
        hyper["feature_dim"] = inferred
    missing = [h for h in REQUIRED_FROM_USER.get(algo.name, ()) if h not in hyper]
    if missing:
        raise InvalidInput(
            f"{algo.name} needs {', '.join(missing)}, which I can't guess.",
            hint="Add them as name=value, e.g. " + " ".join(f"{m}=10" for m in missing) + ".",
        )
    image = image_uri(algo, deps.aws.region)
    name = job_name(algo.name, request)
    price = hourly_price(instance, "training", region=deps.aws.region, pricing=pricing_client(deps))
    worst = count * price.hourly_usd * runtime / 3600 if price else None
    cost = (
        md(
            "{c} = {n} × {p}/h × {h} h ({s})",
            c=bold(money(worst)),
            n=count,
            p=money(price.hourly_usd),
            h=f"{runtime / 3600:g}",
            s=price.source,
        )
        if price and worst is not None
        else md("unknown (no price for {i})", i=instance)
    )
    details = fields(
        {
            "Job name": code(name),
            "Algorithm": md("{a} ({i})", a=algo.name, i=code(image.rsplit("/", 1)[-1])),
            "Instances": f"{instance} × {count}",
            "Stops after": f"{runtime / 3600:g} h at most",
            "Dataset": code(str(dataset))
            + (md(" (table {t})", t=table.ref) if table else md(""))
            + ("" if checked else md(" _(could not check: access denied)_")),
            "Output": code(f"{output}/{name}"),
            "Hyperparameters": code(" ".join(f"{k}={v}" for k, v in sorted(hyper.items()))),
            "Worst-case cost": cost,
            **security_fields(deps),
        }
    )
    return Proposal(
        title=f"Start training job {name}",
        summary=md(
            "Train {a} on {d}, on {i} × {n}, for at most {h} h.",
            a=bold(algo.name),
            d=code(str(dataset)),
            i=instance,
            n=count,
            h=f"{runtime / 3600:g}",
        ),
        details=details,
        warning=md(":warning: Worst case {c}: check the instance type and runtime.", c=money(worst))
        if worst and worst >= 100
        else None,
        params={
            "job_name": name,
            "algorithm": algo.name,
            "image": image,
            "dataset": str(dataset),
            "content_type": algo.content_type,
            "output": str(output),
            "instance_type": instance,
            "instance_count": count,
            "max_runtime": runtime,
            "hyperparameters": hyper,
        },
        risk=Risk(cost_usd=worst),
    )


@router.executor("StartTraining")
def run_start_training(approved: Approved, deps: Deps) -> Reply:
    p, settings = approved.params, deps.settings
    name = p["job_name"]
    resources: ResourceConfigTypeDef = {
        "InstanceType": p["instance_type"],
        "InstanceCount": p["instance_count"],
        "VolumeSizeInGB": 30,
    }
    output: OutputDataConfigTypeDef = {"S3OutputPath": p["output"]}
    if settings.kms_key_id:
        resources["VolumeKmsKeyId"] = output["KmsKeyId"] = settings.kms_key_id
    role = required(settings.sagemaker_role_arn, "sagemaker_role_arn")
    try:
        deps.aws.sagemaker.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": p["image"], "TrainingInputMode": "File"},
            RoleArn=role,
            HyperParameters=p["hyperparameters"],
            InputDataConfig=[
                {
                    "ChannelName": "train",
                    "ContentType": p["content_type"],
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": p["dataset"],
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                }
            ],
            OutputDataConfig=output,
            ResourceConfig=resources,
            StoppingCondition={"MaxRuntimeInSeconds": p["max_runtime"]},
            EnableNetworkIsolation=False,
            Tags=tags(approved),
            **vpc_config(deps),
        )
    except ClientError as exc:
        if error_code(exc) not in ("ResourceInUse", "ResourceInUseException"):
            raise
        existing = describe_training_job(deps, name)
        if not made_for(deps, existing.get("TrainingJobArn", ""), approved):
            # Someone else's job by that name: report, don't start twice.
            return Reply.text(
                md(
                    "Training job {n} already exists ({s}); I didn't start another one.",
                    n=bold(name),
                    s=existing.get("TrainingJobStatus", "?"),
                )
            )
        # Ours, from a run cut short by a restart: finish what it started (follow it).
    deps.follow_approved(approved, "training", name)
    return Reply(
        summary=f"Started training job {name}",
        blocks=(
            Section(
                md(
                    ":rocket: Started training job {n}. I'll post its progress in this thread.",
                    n=bold(name),
                )
            ),
            Context(link(console_url(deps, "jobs", name), "Open in the SageMaker console")),
        ),
    )


def _last_message(job: dict[str, Any]) -> str:
    transitions = job.get("SecondaryStatusTransitions") or []
    return str(transitions[-1].get("StatusMessage", "")) if transitions else ""


@router.follower("training")
def follow_training(name: str, deps: Deps) -> Progress:
    job = describe_training_job(deps, name)
    status, secondary = job.get("TrainingJobStatus", "?"), job.get("SecondaryStatus", "")
    key = f"{status}/{secondary}"
    icon = status_icon(status)
    if status == "Completed":
        blocks: list[Any] = [Section(md("{i} Training job {n} completed.", i=icon, n=bold(name)))]
        metrics = metrics_line(job)
        if metrics:
            blocks.append(Section(md("*Final metrics:* {m}", m=metrics)))
        blocks.append(
            Section(
                fields=fields(
                    {
                        "Training time": duration(_elapsed(job)),
                        "Billable time": duration(job.get("BillableTimeInSeconds")),
                        "Model artifacts": code(
                            job.get("ModelArtifacts", {}).get("S3ModelArtifacts", "–")
                        ),
                    }
                )
            )
        )
        blocks.append(Context(md("Deploy it with {c}", c=code(f"deploy model {name}"))))
        return Progress(
            key, terminal=True, reply=Reply(summary=f"{name} completed", blocks=tuple(blocks))
        )
    if status == "Failed":
        return Progress(
            key,
            terminal=True,
            reply=Reply.text(
                md(
                    "{i} Training job {n} failed: {r}",
                    i=icon,
                    n=bold(name),
                    r=job.get("FailureReason", "no reason given"),
                )
            ),
        )
    if status == "Stopped":
        return Progress(
            key,
            terminal=True,
            reply=Reply.text(
                md(
                    "{i} Training job {n} stopped after {t}.",
                    i=icon,
                    n=bold(name),
                    t=duration(_elapsed(job)),
                )
            ),
        )
    message = _last_message(job)
    return Progress(
        key,
        reply=Reply.text(
            md(
                "{i} {n}: {s}{m}",
                i=icon,
                n=bold(name),
                s=status_text(secondary or status),
                m=md(" — {x}", x=message) if message else md(""),
            )
        ),
    )


def _elapsed(job: dict[str, Any]) -> float | None:
    start = job.get("TrainingStartTime") or job.get("CreationTime")
    end = job.get("TrainingEndTime")
    return (end - start).total_seconds() if start and end else None


# ---------------------------------------------------------------------------- StopTraining


def stop_training(request: Request, deps: Deps) -> Proposal:
    """Stop a training job that is in progress (StopTraining for a training job: the intent
    itself, for every kind of job, is in intents.jobs)."""
    name = check_name(request.slot("jobName") or "", "training job")
    job = describe_training_job(deps, name)
    status = job.get("TrainingJobStatus")
    if status != "InProgress":
        raise InvalidInput(
            f"Training job {name} is not in progress ({status_text(status).lower()}); only a "
            "job in progress can be stopped."
        )
    resources = job.get("ResourceConfig", {})
    started = job.get("TrainingStartTime") or job.get("CreationTime")
    running = (
        (datetime.fromtimestamp(deps.clock(), UTC) - started).total_seconds() if started else None
    )
    price = hourly_price(
        resources.get("InstanceType", ""),
        "training",
        region=deps.aws.region,
        pricing=pricing_client(deps),
    )
    so_far = (
        (price.hourly_usd * resources.get("InstanceCount", 1) * running / 3600)
        if price and running
        else None
    )
    return Proposal(
        title=f"Stop training job {name}",
        summary=md(
            "Stop {n} ({s}). Its model will not be saved.",
            n=bold(name),
            s=job.get("SecondaryStatus", status),
        ),
        details=fields(
            {
                "Running for": duration(running),
                "Instances": f"{resources.get('InstanceType', '?')} × {resources.get('InstanceCount', 1)}",
                "Cost so far": money(so_far) if so_far is not None else "unknown",
            }
        ),
        params={"job_name": name},
        risk=Risk(stops_a_job=True, owner=_owner(deps, job.get("TrainingJobArn", ""))),
    )


def _owner(deps: Deps, arn: str) -> str | None:
    """Who started a job through the bot (its chatops:requested-by tag), if anyone."""
    return resource_tags(deps, arn).get(REQUESTED_BY) or None


def run_stop_training(approved: Approved, deps: Deps) -> Reply:
    name = approved.params["job_name"]
    try:
        deps.aws.sagemaker.stop_training_job(TrainingJobName=name)
    except ClientError as exc:
        if error_code(exc) != "ValidationException" or is_not_found(exc):
            raise
        status = describe_training_job(deps, name).get("TrainingJobStatus")
        if status not in ("Stopping", "Stopped"):  # already stopping (a re-run): carry on
            raise UserError(f"SageMaker would not stop {name} ({summarize(exc)}).") from None
    deps.follow_approved(approved, "training", name)
    return Reply.text(
        md(":double_vertical_bar: Stopping {n}. I'll say here when it has stopped.", n=bold(name))
    )


# ---------------------------------------------------------------------------- Autopilot

AUTOPILOT_INSTANCE = "ml.m5.4xlarge"  # what Autopilot trials usually run on
AUTOPILOT_PARALLEL = 4
MAX_CANDIDATES = 250


@router.intent("StartAutopilot", requires=("sagemaker_role_arn", "output_s3_uri"))
def start_autopilot(request: Request, deps: Deps) -> Proposal:
    """Let Autopilot find the best model for a tabular dataset and a target column."""
    settings = deps.settings
    dataset, table = resolve_dataset(deps, request.slot("dataset") or "")
    check_bucket(dataset, settings, "training data")
    output = parse_s3(settings.output_s3_uri or "", "output")
    check_bucket(output, settings, "training output")
    check_kms(settings)
    target = (request.slot("target") or "").strip("'\"` ")
    if not re.fullmatch(r"[\w\-. ]{1,128}", target):
        raise InvalidInput(
            f"{target[:40]!r} is not a column name.",
            hint="Say which column to predict, e.g. target churned.",
        )
    runtime = check_runtime(
        runtime_in(request.text) or min(settings.max_runtime_seconds, 4 * 3600), settings
    )
    found = count_in(request.text, "candidates?|trials?", "candidates", key="max_candidates")
    candidates = found.value if found else 10
    if candidates > MAX_CANDIDATES:
        raise InvalidInput(
            f"Autopilot can try at most {MAX_CANDIDATES} candidates here, not {candidates}."
        )
    require_dataset(deps.aws.s3, dataset)
    header = first_line(deps.aws.s3, dataset)
    columns = [c.strip().strip('"') for c in header.split(",")] if header else []
    if columns and target not in columns:
        close = difflib.get_close_matches(target, columns, n=1)
        raise InvalidInput(
            f"The dataset has no column {target!r}.",
            hint=(f"Did you mean {close[0]}? " if close else "")
            + "Its columns: "
            + ", ".join(columns[:20])
            + ".",
        )
    name = job_name("autopilot", request, max_len=32)
    price = hourly_price(
        AUTOPILOT_INSTANCE, "training", region=deps.aws.region, pricing=pricing_client(deps)
    )
    worst = price.hourly_usd * AUTOPILOT_PARALLEL * runtime / 3600 if price else None
    return Proposal(
        title=f"Start Autopilot job {name}",
        summary=md(
            "Find the best model predicting {t} from {d}.", t=code(target), d=code(str(dataset))
        ),
        details=fields(
            {
                "Job name": code(name),
                "Dataset": code(str(dataset))
                + (md(" (table {t})", t=table.ref) if table else md("")),
                "Target column": code(target),
                "Candidates": f"up to {candidates}",
                "Stops after": f"{runtime / 3600:g} h at most",
                "Output": code(f"{output}/{name}"),
                "Worst-case cost": md(
                    "about {c} ({p} trials of {i} in parallel for {h} h, estimate)",
                    c=bold(money(worst)),
                    p=AUTOPILOT_PARALLEL,
                    i=AUTOPILOT_INSTANCE,
                    h=f"{runtime / 3600:g}",
                )
                if worst
                else "unknown",
                **security_fields(deps),
            }
        ),
        params={
            "job_name": name,
            "dataset": str(dataset),
            "target": target,
            "output": str(output),
            "candidates": candidates,
            "max_runtime": runtime,
        },
        risk=Risk(cost_usd=worst),
    )


@router.executor("StartAutopilot")
def run_start_autopilot(approved: Approved, deps: Deps) -> Reply:
    p, settings = approved.params, deps.settings
    security: AutoMLSecurityConfigTypeDef = {}
    if settings.kms_key_id:
        security["VolumeKmsKeyId"] = settings.kms_key_id
    if settings.vpc_subnets and settings.vpc_security_groups:
        security["VpcConfig"] = {
            "Subnets": settings.vpc_subnets,
            "SecurityGroupIds": settings.vpc_security_groups,
        }
    output: AutoMLOutputDataConfigTypeDef = {"S3OutputPath": p["output"]}
    if settings.kms_key_id:
        output["KmsKeyId"] = settings.kms_key_id
    request: CreateAutoMLJobV2RequestTypeDef = {
        "AutoMLJobName": p["job_name"],
        "AutoMLJobInputDataConfig": [
            {
                "ChannelType": "training",
                "ContentType": "text/csv;header=present",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": p["dataset"]}},
            }
        ],
        "OutputDataConfig": output,
        "AutoMLProblemTypeConfig": {
            "TabularJobConfig": {
                "TargetAttributeName": p["target"],
                "CompletionCriteria": {
                    "MaxCandidates": p["candidates"],
                    "MaxAutoMLJobRuntimeInSeconds": p["max_runtime"],
                    "MaxRuntimePerTrainingJobInSeconds": min(3600, p["max_runtime"]),
                },
            }
        },
        "RoleArn": required(settings.sagemaker_role_arn, "sagemaker_role_arn"),
        "Tags": tags(approved),
    }
    if security:
        request["SecurityConfig"] = security
    try:
        deps.aws.sagemaker.create_auto_ml_job_v2(**request)
    except ClientError as exc:
        if error_code(exc) not in ("ResourceInUse", "ResourceInUseException"):
            raise
        arn = deps.aws.sagemaker.describe_auto_ml_job_v2(AutoMLJobName=p["job_name"])[
            "AutoMLJobArn"
        ]
        if not made_for(deps, arn, approved):
            raise UserError(f"An Autopilot job named {p['job_name']} already exists.") from None
        # Ours, from a run cut short by a restart: follow it.
    deps.follow_approved(approved, "autopilot", p["job_name"])
    return Reply(
        summary=f"Started Autopilot job {p['job_name']}",
        blocks=(
            Section(
                md(
                    ":rocket: Started Autopilot job {n}. I'll post its progress here and the best candidate "
                    "at the end.",
                    n=bold(p["job_name"]),
                )
            ),
            Context(
                link(console_url(deps, "automl", p["job_name"]), "Open in the SageMaker console")
            ),
        ),
    )


def _metric(candidate: AutoMLCandidateTypeDef | None) -> tuple[str, float]:
    metric = candidate.get("FinalAutoMLJobObjectiveMetric") if candidate else None
    if not metric:
        return "objective", 0.0
    return str(metric.get("MetricName", "objective")), float(metric.get("Value", 0.0))


@router.follower("autopilot")
def follow_autopilot(name: str, deps: Deps) -> Progress:
    try:
        job = deps.aws.sagemaker.describe_auto_ml_job_v2(AutoMLJobName=name)
    except ClientError as exc:
        if is_not_found(exc):
            raise NotFound(f"There is no Autopilot job named {name}.") from None
        raise
    status, secondary = job.get("AutoMLJobStatus", "?"), job.get("AutoMLJobSecondaryStatus", "")
    key = f"{status}/{secondary}"
    if status == "Completed":
        best = job.get("BestCandidate")
        metric, value = _metric(best)
        candidates = list(
            items(
                deps.aws.sagemaker.get_paginator("list_candidates_for_auto_ml_job").paginate(
                    AutoMLJobName=name, PaginationConfig=page_size(AUTOML_CANDIDATES_PAGE, limit=50)
                ),
                lambda p: p.get("Candidates", []),
                limit=50,
            )
        )
        objective = best.get("FinalAutoMLJobObjectiveMetric") if best else None
        ranked = sorted(
            candidates,
            key=lambda c: _metric(c)[1],
            reverse=(objective.get("Type") if objective else None) != "Minimize",
        )
        rows = [
            md(
                "{i}. {n} · {m} = {v}",
                i=i + 1,
                n=code(c["CandidateName"]),
                m=_metric(c)[0],
                v=f"{_metric(c)[1]:.4f}",
            )
            for i, c in enumerate(ranked[:3])
        ]
        blocks: list[Any] = [
            Section(
                md(
                    ":white_check_mark: Autopilot job {n} completed. Best candidate: {b} with "
                    "{m} = {v}.",
                    n=bold(name),
                    b=code(best.get("CandidateName", "?") if best else "?"),
                    m=metric,
                    v=bold(f"{value:.4f}"),
                )
            )
        ]
        if rows:
            blocks.append(Section(lines(md("*Top candidates*"), *rows)))
        blocks.append(
            Context(md("Deploy it with {c}", c=code(f"deploy the best candidate of {name}")))
        )
        return Progress(
            key,
            terminal=True,
            reply=Reply(summary=f"{name} completed: {metric} {value:.4f}", blocks=tuple(blocks)),
        )
    if status in ("Failed", "Stopped"):
        return Progress(
            key,
            terminal=True,
            reply=Reply.text(
                md(
                    "{i} Autopilot job {n} {s}{r}",
                    i=status_icon(status),
                    n=bold(name),
                    s=status.lower(),
                    r=md(": {x}", x=job.get("FailureReason"))
                    if job.get("FailureReason")
                    else md("."),
                )
            ),
        )
    return Progress(
        key,
        reply=Reply.text(
            md(":large_blue_circle: {n}: {s}", n=bold(name), s=status_text(secondary or status))
        ),
    )
