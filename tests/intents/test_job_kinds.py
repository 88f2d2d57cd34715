"""Every job kind by name: detail and follow-up for processing, labeling, compilation,
transform and tuning jobs; batch transform through a card (moto where it has the calls,
Stubber with real response shapes where it lacks them)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from intents.errors import InvalidInput, NotFound, Refused
from intents.jobs import (
    find_job,
    follow_transform,
    labeling_progress,
    run_start_transform,
    start_transform,
    training_status,
)
from intents.reply import Proposal
from intents.reply import md as md_
from tests.conftest import ROLE_ARN, approved, request

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def account(deps: Any) -> Any:
    s3, sm = deps.aws.s3, deps.aws.sagemaker
    for bucket in ("acme-ml-data", "acme-ml-artifacts", "other-bucket"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="acme-ml-data", Key="churn/validation.csv", Body=b"0,3,1\n1,2,2\n")
    s3.put_object(Bucket="other-bucket", Key="x.csv", Body=b"1,2\n")
    sm.create_model(
        ModelName="churn-xgb-model",
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1"
        },
    )
    sm.create_processing_job(
        ProcessingJobName="churn-features-1",
        RoleArn=ROLE_ARN,
        AppSpecification={"ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sklearn:1"},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            }
        },
        ProcessingInputs=[
            {
                "InputName": "raw",
                "S3Input": {
                    "S3Uri": "s3://acme-ml-data/churn/raw/",
                    "LocalPath": "/opt/ml/processing/input",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "features",
                    "S3Output": {
                        "S3Uri": "s3://acme-ml-data/churn/features/",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
    )
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="fraud-hpo-1",
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {
                "Type": "Maximize",
                "MetricName": "validation:auc",
            },
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 2},
        },
        TrainingJobDefinition={
            "AlgorithmSpecification": {"TrainingImage": "x", "TrainingInputMode": "File"},
            "RoleArn": ROLE_ARN,
            "OutputDataConfig": {"S3OutputPath": "s3://acme-ml-artifacts/tuning"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    )
    return deps


def test_a_job_name_may_be_any_kind_of_job(account: Any) -> None:
    kind, _job = find_job(account, "churn-features-1")
    assert kind.name == "processing"
    reply = training_status(request("TrainingStatus", jobName="churn-features-1"), account)
    shown = str(reply.blocks)
    assert "Processing job churn-features-1" in shown
    assert "raw: `s3://acme-ml-data/churn/raw/`" in shown
    assert "features: `s3://acme-ml-data/churn/features/`" in shown
    assert reply.about == (("processing", "churn-features-1"),)


def test_a_tuning_job_shows_its_best_training_job_so_far(account: Any) -> None:
    reply = training_status(request("TrainingStatus", jobName="fraud-hpo-1"), account)
    shown = str(reply.blocks)
    assert "Hyperparameter tuning job fraud-hpo-1" in shown
    assert "maximize `validation:auc`" in shown and "of at most 20 (2 at a time)" in shown
    assert "Best training job so far" in shown


def test_no_job_of_any_kind_by_that_name(account: Any) -> None:
    with pytest.raises(NotFound) as raised:
        find_job(account, "churn-featurez-1")
    assert "Did you mean churn-features-1" in raised.value.hint


def _labeling(counters: dict[str, int], status: str = "InProgress") -> dict[str, Any]:
    return {
        "LabelingJobStatus": status,
        "LabelCounters": counters,
        "CreationTime": NOW - timedelta(days=1),
        "LastModifiedTime": NOW,
        "JobReferenceCode": "abc123",
        "LabelingJobName": "tickets-labels",
        "LabelingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/tickets-labels",
        "LabelAttributeName": "intent",
        "InputConfig": {
            "DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://acme-ml-data/t.manifest"}}
        },
        "OutputConfig": {"S3OutputPath": "s3://acme-ml-artifacts/labeling/"},
        "RoleArn": ROLE_ARN,
        "HumanTaskConfig": {
            "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/support",
            "UiConfig": {"UiTemplateS3Uri": "s3://acme-ml-artifacts/t.liquid"},
            "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-TextMultiClass",
            "TaskTitle": "Which intent?",
            "TaskDescription": "Pick one",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-TextMultiClass"
            },
        },
    }


def _status_with_stubs(deps: Any, name: str, responses: list[tuple[str, dict[str, Any]]]) -> Any:
    """TrainingStatus for *name*, the kinds before the one that has it answering 'not found'."""
    with Stubber(deps.aws.sagemaker) as stub:
        for operation in (
            "describe_training_job",
            "describe_processing_job",
            "describe_transform_job",
            "describe_hyper_parameter_tuning_job",
            "describe_auto_ml_job_v2",
            "describe_compilation_job",
        ):
            stub.add_client_error(
                operation,
                service_error_code="ValidationException",
                service_message=f"Could not find {name}.",
            )
        for operation, response in responses:
            stub.add_response(operation, response)
        return training_status(request("TrainingStatus", jobName=name), deps)


def test_a_labeling_job_shows_its_counters_and_is_followed_in_the_thread(deps: Any) -> None:
    counters = {
        "TotalLabeled": 1840,
        "HumanLabeled": 1210,
        "MachineLabeled": 630,
        "FailedNonRetryableError": 3,
        "Unlabeled": 2160,
    }
    reply = _status_with_stubs(
        deps, "tickets-labels", [("describe_labeling_job", _labeling(counters))]
    )
    shown = str(reply.blocks)
    assert "1,840 of 4,003 labeled (46%): 1,210 by people, 630 by the machine" in shown
    assert "2,160 pending" in shown and "3 failed" in shown
    assert "I'll post here when its status changes" in shown
    (followed,) = deps.state.active_follows()
    assert (followed.kind, followed.name, followed.thread_ts) == (
        "labeling",
        "tickets-labels",
        "1700000000.000100",
    )


def test_a_labeling_job_with_no_counters_yet(deps: Any) -> None:
    assert "No items counted yet" in labeling_progress({})
    reply = _status_with_stubs(deps, "tickets-labels", [("describe_labeling_job", _labeling({}))])
    assert "No items counted yet" in str(reply.blocks)


def test_a_compilation_job_shows_its_target_and_output(deps: Any) -> None:
    neo = {
        "CompilationJobName": "churn-neo",
        "CompilationJobArn": "arn:aws:sagemaker:us-east-1:123456789012:compilation-job/churn-neo",
        "CompilationJobStatus": "COMPLETED",
        "FailureReason": "",
        "StoppingCondition": {"MaxRuntimeInSeconds": 900},
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        "CompilationStartTime": NOW - timedelta(minutes=4),
        "CompilationEndTime": NOW,
        "ModelArtifacts": {
            "S3ModelArtifacts": "s3://acme-ml-artifacts/compiled/model-ml_c5.tar.gz"
        },
        "RoleArn": ROLE_ARN,
        "InputConfig": {"S3Uri": "s3://acme-ml-artifacts/model.tar.gz", "Framework": "XGBOOST"},
        "OutputConfig": {
            "S3OutputLocation": "s3://acme-ml-artifacts/compiled",
            "TargetDevice": "ml_c5",
        },
    }
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("describe_compilation_job", neo)
        kind, job = find_job(deps, "churn-neo", ("compilation",))
    shown = str(kind.detail(deps, job))
    assert "`ml_c5`" in shown and "model-ml_c5.tar.gz" in shown and "Completed" in shown
    assert "4 min 00 s" in shown


# ---------------------------------------------------------------------------- batch transform


def _transform(deps: Any, text: str = "", **slots: str) -> Proposal:
    values = {
        "modelName": "churn-xgb-model",
        "dataset": "s3://acme-ml-data/churn/validation.csv",
        **slots,
    }
    result = start_transform(request("StartTransform", text, **values), deps)
    assert isinstance(result, Proposal)
    return result


def test_a_batch_transform_card_shows_input_output_and_worst_case_cost(account: Any) -> None:
    proposal = _transform(account)
    details = dict(proposal.details)
    assert proposal.title.startswith("Batch transform churn-xgb-model-")
    assert details["Instances"] == "ml.m5.large × 1" and details["Content type"] == "text/csv"
    assert "24 h at most (I stop it then)" in details["Stops after"]
    assert "$" in details["Worst-case cost"] and proposal.risk.cost_usd
    assert str(proposal.params["output"]).startswith(
        "s3://acme-ml-artifacts/chatops/churn-xgb-model-"
    )


@pytest.mark.parametrize(
    "slots, text, words",
    [
        ({"dataset": "s3://other-bucket/x.csv"}, "", "other-bucket is not allowed"),
        ({}, "with 3 instances", "CHATOPS_MAX_INSTANCE_COUNT"),
        ({"instanceType": "ml.p4d.24xlarge"}, "", "CHATOPS_ALLOWED_INSTANCE_TYPES"),
    ],
)
def test_a_batch_transform_outside_the_rules_is_refused(
    account: Any, slots: dict[str, str], text: str, words: str
) -> None:
    with pytest.raises(Refused) as raised:
        _transform(account, text, **slots)
    assert words in raised.value.message + raised.value.hint


def test_approval_starts_one_tagged_transform_job_and_follows_it(account: Any) -> None:
    proposal = _transform(account)
    reply = run_start_transform(approved(proposal, "StartTransform"), account)
    name = proposal.params["job_name"]
    job = account.aws.sagemaker.describe_transform_job(TransformJobName=name)
    assert job["ModelName"] == "churn-xgb-model"
    assert job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"].endswith("validation.csv")
    tags = account.aws.sagemaker.list_tags(ResourceArn=job["TransformJobArn"])["Tags"]
    assert {"Key": "chatops:managed", "Value": "true"} in tags
    assert reply.about == (("transform", name),)
    assert [(f.kind, f.name) for f in account.state.active_follows()] == [("transform", name)]
    # A second run of the same approval finds its own job and follows it
    run_start_transform(approved(proposal, "StartTransform"), account)
    assert len(account.aws.sagemaker.list_transform_jobs()["TransformJobSummaries"]) == 1


def test_a_transform_running_past_the_longest_runtime_is_stopped(deps: Any) -> None:
    running = {
        "TransformJobName": "scores-1",
        "TransformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/scores-1",
        "TransformJobStatus": "InProgress",
        "ModelName": "churn-xgb-model",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://d/x"}}
        },
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        "CreationTime": NOW - timedelta(hours=25),
        "TransformStartTime": NOW - timedelta(hours=25),
    }
    later = dataclasses.replace(deps, clock=lambda: NOW.timestamp())
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("describe_transform_job", running, {"TransformJobName": "scores-1"})
        stub.add_response("stop_transform_job", {}, {"TransformJobName": "scores-1"})
        progress = follow_transform("scores-1", later)
    assert progress.status == "Stopping" and progress.reply is not None
    assert "CHATOPS_MAX_RUNTIME_HOURS" in str(progress.reply.blocks)
    # Within the limit it is only followed
    with Stubber(deps.aws.sagemaker) as stub:
        young = {**running, "TransformStartTime": NOW - timedelta(hours=1)}
        stub.add_response("describe_transform_job", young, {"TransformJobName": "scores-1"})
        progress = follow_transform("scores-1", later)
    assert progress.status == "InProgress" and not progress.terminal


# ---------------------------------------------------------------------------- stopping any kind

_RUNNING = {
    "processing": (
        "describe_processing_job",
        {
            "ProcessingJobName": "feat-1",
            "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/feat-1",
            "ProcessingJobStatus": "InProgress",
            "AppSpecification": {"ImageUri": "x"},
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 30,
                }
            },
            "RoleArn": ROLE_ARN,
            "CreationTime": NOW - timedelta(minutes=30),
        },
        "stop_processing_job",
        {"ProcessingJobName": "feat-1"},
    ),
    "tuning": (
        "describe_hyper_parameter_tuning_job",
        {
            "HyperParameterTuningJobName": "feat-1",
            "HyperParameterTuningJobArn": "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/feat-1",
            "HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "ResourceLimits": {"MaxParallelTrainingJobs": 2},
            },
            "HyperParameterTuningJobStatus": "InProgress",
            "CreationTime": NOW - timedelta(minutes=30),
            "TrainingJobStatusCounters": {},
            "ObjectiveStatusCounters": {},
        },
        "stop_hyper_parameter_tuning_job",
        {"HyperParameterTuningJobName": "feat-1"},
    ),
}
_RUNNING["autopilot"] = (
    "describe_auto_ml_job_v2",
    {
        "AutoMLJobName": "feat-1",
        "AutoMLJobArn": "arn:aws:sagemaker:us-east-1:123456789012:automl-job/feat-1",
        "AutoMLJobInputDataConfig": [
            {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://d/x.csv"}}}
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://o"},
        "RoleArn": ROLE_ARN,
        "CreationTime": NOW - timedelta(minutes=30),
        "LastModifiedTime": NOW,
        "AutoMLJobStatus": "InProgress",
        "AutoMLJobSecondaryStatus": "ModelTuning",
    },
    "stop_auto_ml_job",
    {"AutoMLJobName": "feat-1"},
)
_BEFORE = [
    "describe_training_job",
    "describe_processing_job",
    "describe_transform_job",
    "describe_hyper_parameter_tuning_job",
    "describe_auto_ml_job_v2",
]


@pytest.mark.parametrize("kind", sorted(_RUNNING))
def test_stop_any_kind_of_job_in_progress(deps: Any, kind: str) -> None:
    describe_call, described, stop_call, stop_params = _RUNNING[kind]
    later = dataclasses.replace(deps, clock=lambda: NOW.timestamp())
    from intents.jobs import run_stop_job, stop_job

    with Stubber(deps.aws.sagemaker) as stub:
        for call in _BEFORE[: _BEFORE.index(describe_call)]:
            stub.add_client_error(
                call, service_error_code="ValidationException", service_message="Could not find it."
            )
        stub.add_response(describe_call, described)
        stub.add_response(
            "list_tags", {"Tags": [{"Key": "chatops:requested-by", "Value": "U0BOB"}]}
        )
        proposal = stop_job(request("StopTraining", jobName="feat-1"), later)
        stub.add_response(stop_call, {}, stop_params)
        reply = run_stop_job(approved(proposal, "StopTraining"), later)
    assert proposal.params == {"kind": kind, "job_name": "feat-1"}
    assert proposal.risk.stops_a_job and proposal.risk.owner == "U0BOB"
    assert dict(proposal.details)["Running for"] == "30 min 00 s"
    assert "Stopping *feat-1*" in str(reply.blocks) and reply.about == ((kind, "feat-1"),)
    assert [(f.kind, f.name) for f in deps.state.active_follows()] == [(kind, "feat-1")]


def test_stop_a_glue_run(deps: Any) -> None:
    from intents.jobs import run_stop_job, stop_job

    glue = deps.aws.glue
    glue.create_job(
        Name="orders_daily_load",
        Role=ROLE_ARN,
        Command={"Name": "glueetl", "ScriptLocation": "s3://acme-ml-artifacts/glue/orders.py"},
    )
    run_id = glue.start_job_run(JobName="orders_daily_load")["JobRunId"]
    plan = approved(
        Proposal(
            title="t",
            summary=md_("s"),
            params={"kind": "glue", "job_name": "orders_daily_load", "run_id": run_id},
        ),
        "StopTraining",
    )
    with Stubber(glue) as stub:
        stub.add_response(
            "batch_stop_job_run",
            {
                "SuccessfulSubmissions": [{"JobName": "orders_daily_load", "JobRunId": run_id}],
                "Errors": [],
            },
            {"JobName": "orders_daily_load", "JobRunIds": [run_id]},
        )
        reply = run_stop_job(plan, deps)
    assert "Stopping *orders_daily_load*" in str(reply.blocks)
    # A Glue job's name may have underscores; one not running cannot be stopped
    with Stubber(deps.aws.sagemaker) as stub:
        for call in [
            *_BEFORE,
            "describe_compilation_job",
            "describe_labeling_job",
        ]:
            stub.add_client_error(
                call, service_error_code="ValidationException", service_message="Could not find it."
            )
        with pytest.raises(InvalidInput, match="only a job in progress"):
            stop_job(request("StopTraining", jobName="orders_daily_load"), deps)
