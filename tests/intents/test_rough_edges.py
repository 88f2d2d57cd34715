"""The rough edges a new user hit trying every intent (issue 12), each pinned by a test
that failed before its fix."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from intents.jobs import list_jobs, training_status
from intents.status import status_text
from intents.training import follow_training
from tests.conftest import request

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def _job(status: str, secondary: str) -> dict[str, Any]:
    return {
        "TrainingJobName": "churn-xgb-42",
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgb-42",
        "TrainingJobStatus": status,
        "SecondaryStatus": secondary,
        "CreationTime": NOW - timedelta(hours=2),
        "TrainingStartTime": NOW - timedelta(hours=2),
        "TrainingEndTime": NOW - timedelta(hours=1),
        "BillableTimeInSeconds": 3600,
        "ModelArtifacts": {"S3ModelArtifacts": "s3://o/churn-xgb-42/output/model.tar.gz"},
        "AlgorithmSpecification": {
            "TrainingImage": "x/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "FailureReason": "AlgorithmError: boom" if status == "Failed" else None,
    }


def _status_of(deps: Any, job: dict[str, Any]) -> str:
    job = {k: v for k, v in job.items() if v is not None}
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("describe_training_job", job, {"TrainingJobName": "churn-xgb-42"})
        reply = training_status(request("TrainingStatus", jobName="churn-xgb-42"), deps)
    return str(reply.blocks)


def test_a_completed_job_does_not_say_completed_twice(deps: Any) -> None:
    shown = _status_of(deps, _job("Completed", "Completed"))
    assert "Completed (Completed)" not in shown and "Completed" in shown


def test_a_failed_job_lists_no_model_artifacts(deps: Any) -> None:
    assert "Model artifacts" not in _status_of(deps, _job("Failed", "Failed"))
    assert "Model artifacts" in _status_of(deps, _job("Completed", "Completed"))


def test_statuses_have_one_casing_everywhere() -> None:
    assert status_text("COMPLETED") == status_text("Completed") == "Completed"
    assert status_text("InProgress") == status_text("IN_PROGRESS") == "In progress"
    assert status_text("FeatureEngineering") == "Feature engineering"
    assert status_text("Downloading") == "Downloading"


def test_neo_statuses_are_shown_like_the_others(deps: Any) -> None:
    listed = {
        "CompilationJobSummaries": [
            {
                "CompilationJobName": "churn-neo",
                "CompilationJobArn": "arn:aws:sagemaker:us-east-1:1:compilation-job/churn-neo",
                "CreationTime": NOW,
                "CompilationTargetDevice": "ml_c5",
                "CompilationJobStatus": "COMPLETED",
            }
        ]
    }
    described = {
        "CompilationJobName": "churn-neo",
        "CompilationJobArn": "arn:aws:sagemaker:us-east-1:1:compilation-job/churn-neo",
        "CompilationJobStatus": "COMPLETED",
        "FailureReason": "",
        "StoppingCondition": {"MaxRuntimeInSeconds": 900},
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        "ModelArtifacts": {"S3ModelArtifacts": "s3://o/compiled/model-ml_c5.tar.gz"},
        "RoleArn": "arn:aws:iam::1:role/r",
        "InputConfig": {"S3Uri": "s3://o/model.tar.gz", "Framework": "XGBOOST"},
        "OutputConfig": {"S3OutputLocation": "s3://o/compiled", "TargetDevice": "ml_c5"},
    }
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("list_compilation_jobs", listed)
        stub.add_response(  # the only compilation job, in detail
            "describe_compilation_job", described, {"CompilationJobName": "churn-neo"}
        )
        reply = list_jobs(request("ListJobs", jobKind="compilation"), deps)
    shown = str(reply.blocks)
    assert "COMPLETED" not in shown and "Completed" in shown
    assert "ml_c5" in shown and "model-ml_c5.tar.gz" in shown  # target device, output


def test_training_and_autopilot_progress_read_the_same(deps: Any) -> None:
    # Given a training job downloading and an Autopilot job engineering features
    job = _job("InProgress", "Downloading")
    job.update(TrainingEndTime=None, BillableTimeInSeconds=None)
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response(
            "describe_training_job",
            {k: v for k, v in job.items() if v is not None},
            {"TrainingJobName": "churn-xgb-42"},
        )
        training = follow_training("churn-xgb-42", deps)
    from intents.training import follow_autopilot

    automl = {
        "AutoMLJobName": "autopilot-1",
        "AutoMLJobArn": "arn:aws:sagemaker:us-east-1:1:automl-job/autopilot-1",
        "AutoMLJobInputDataConfig": [
            {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://d/x.csv"}}}
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://o"},
        "RoleArn": "arn:aws:iam::1:role/r",
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        "AutoMLJobStatus": "InProgress",
        "AutoMLJobSecondaryStatus": "FeatureEngineering",
    }
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("describe_auto_ml_job_v2", automl, {"AutoMLJobName": "autopilot-1"})
        autopilot = follow_autopilot("autopilot-1", deps)
    # Then both say their phase in sentence case
    assert training.reply is not None and autopilot.reply is not None
    assert "Downloading" in str(training.reply.blocks)
    assert "Feature engineering" in str(autopilot.reply.blocks)
    assert "feature engineering" not in str(autopilot.reply.blocks)


@pytest.fixture
def moving() -> Iterator[list[float]]:
    """The sandbox's moto extension on a clock the test moves."""
    from bot.sandbox import moto_ext

    now = [NOW.timestamp()]
    moto_ext.install(scale=1.0, clock=lambda: now[0])
    yield now
    moto_ext.uninstall()
    moto_ext.CONFIG.clock = __import__("time").time


def test_billable_time_is_never_more_than_the_training_time(deps: Any, moving: list[float]) -> None:
    deps.aws.s3.create_bucket(Bucket="acme-ml-data")
    deps.aws.s3.put_object(Bucket="acme-ml-data", Key="churn/train.csv", Body=b"1,2\n")
    sm = deps.aws.sagemaker
    sm.create_training_job(
        TrainingJobName="quick-1",
        AlgorithmSpecification={
            "TrainingImage": "x/sagemaker-xgboost:1",
            "TrainingInputMode": "File",
        },
        RoleArn="arn:aws:iam::123456789012:role/r",
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": "s3://acme-ml-data/churn/train.csv",
                    }
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": "s3://acme-ml-artifacts/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    moving[0] += 45
    done = follow_training("quick-1", dataclasses.replace(deps, clock=lambda: moving[0]))
    assert done.terminal and done.reply is not None
    shown = dict(done.reply.blocks[-2].fields)  # type: ignore[union-attr]
    assert shown["Training time"] == shown["Billable time"] == "45 s"


def test_autopilot_candidate_names_are_never_cut() -> None:
    from types import SimpleNamespace

    from bot.sandbox.moto_ext import _candidates

    job = SimpleNamespace(
        auto_ml_job_name="autopilot-20261128-215431-ab12",
        auto_ml_job_objective={"MetricName": "F1"},
        creation_time=NOW,
        end_time=NOW,
        arn="arn:aws:sagemaker:us-east-1:1:automl-job/autopilot-20261128-215431-ab12",
        output_data_config={"S3OutputPath": "s3://o"},
    )
    names = [c["CandidateName"] for c in _candidates(job)]
    assert all(n.startswith("autopilot-20261128-215431-ab12-") for n in names)


# ---------------------------------------------------------------------------- names and usage


def test_an_endpoint_named_after_a_job_has_one_timestamp() -> None:
    from intents.resources import job_name

    asked = request("DeployModel", "deploy xgboost-20261129-000319-ed78")
    endpoint = job_name("xgboost-20261129-000319-ed78", asked)
    assert endpoint.startswith("xgboost-20261129-000319-ed78-")
    assert len(endpoint) == len("xgboost-20261129-000319-ed78-e74c")
    assert job_name("xgboost-20261129-000319-ed78", asked) == endpoint  # stable for a retry
    # A seeded name with its own date, and a plain model name
    assert job_name("churn-xgb-20261119-0930", asked).count("2026") == 1
    assert job_name("churn-xgb-model", asked).count("-2026") == 1


@pytest.mark.parametrize(
    "text",
    [
        "autopilot s3://acme-ml-data/churn/train.csv churned",
        "autopilot s3://acme-ml-data/churn/train.csv target=churned",
        "autopilot churned s3://acme-ml-data/churn/train.csv",
        "autopilot s3://acme-ml-data/churn/train.csv label",
    ],
)
def test_ml_autopilot_reads_the_target_column(text: str) -> None:
    from lex.commands import CommandParser
    from lex.definition import load_definition
    from lex.nlu import Nlu

    definition = load_definition()
    parsed = CommandParser(definition, Nlu(definition)).parse(text)
    assert parsed.understanding is not None, parsed.problem
    assert parsed.understanding.slots["target"] == text.split()[-1].split("=")[-1] or (
        parsed.understanding.slots["target"] == "churned"
    )


@pytest.mark.parametrize("text", ["stop", "deploy", "delete", "invoke", "autopilot"])
def test_no_usage_message_shows_a_slot_name(text: str) -> None:
    from lex.commands import CommandParser
    from lex.definition import load_definition
    from lex.nlu import Nlu

    definition = load_definition()
    parsed = CommandParser(definition, Nlu(definition)).parse(text)
    assert parsed.understanding is None and parsed.problem
    # jobName, modelName, endpointName...: a slot name a person would not write
    slot_names = {
        s.name for i in definition.intents.values() for s in i.slots if s.name.lower() != s.name
    }
    assert not any(name in parsed.problem for name in slot_names), parsed.problem
    assert "Missing" not in parsed.problem
    assert parsed.problem.endswith("`") and "Usage: `/ml " in parsed.problem


def test_seeded_job_names_match_their_start_times(sandbox: Any) -> None:
    import re

    sm = sandbox.chatops.deps.aws.sagemaker
    for name in sandbox.seeded["training_jobs"]:
        created = sm.describe_training_job(TrainingJobName=name)["CreationTime"]
        stamp = re.search(r"(\d{8})(?:-(\d{4}))?", name)
        assert stamp is not None, name
        assert stamp.group(1) == f"{created:%Y%m%d}", name
        if stamp.group(2):
            assert stamp.group(2) == f"{created:%H%M}", name
    # Model Monitor's runs are named after their scheduled hour, and ran then; Neo ran a while
    for job in sm.list_processing_jobs()["ProcessingJobSummaries"]:
        monitor = re.match(r"model-monitoring-(\d{12})-", job["ProcessingJobName"])
        if monitor:
            assert monitor.group(1) == f"{job['CreationTime']:%Y%m%d%H%M}", job
    neo = sm.describe_compilation_job(CompilationJobName="churn-xgb-neo-arm64")
    assert neo["CompilationEndTime"] > neo["CompilationStartTime"]


def test_percentages_are_written_one_way(sandbox: Any) -> None:
    from intents.costs import budget_status

    reply = budget_status(request("BudgetStatus"), sandbox.chatops.deps)
    shown = reply.summary + str(reply.blocks)
    assert "80%" in shown and " %" not in shown
