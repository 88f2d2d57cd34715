"""StopTraining, ListJobs, Autopilot, and the price lookup."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from intents.base import Approved
from intents.errors import InvalidInput, NotFound
from intents.jobs import list_jobs
from intents.pricing import hourly_price
from intents.reply import Proposal
from intents.training import (
    run_start_autopilot,
    run_stop_training,
    start_autopilot,
    stop_training,
)
from tests.conftest import request

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _job(status: str = "InProgress", secondary: str = "Training") -> dict[str, Any]:
    return {
        "TrainingJobName": "fraud-train-42",
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/fraud-train-42",
        "TrainingJobStatus": status,
        "SecondaryStatus": secondary,
        "CreationTime": NOW - timedelta(hours=2),
        "TrainingStartTime": NOW - timedelta(hours=2),
        "ModelArtifacts": {"S3ModelArtifacts": "s3://o/m.tar.gz"},
        "AlgorithmSpecification": {
            "TrainingImage": "x/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 2,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
    }


def _approved(intent: str, params: dict[str, Any]) -> Approved:
    return Approved(
        plan_id="p1",
        intent=intent,
        params=params,
        requester="U0ALICE",
        approver="U0ALICE",
        channel="C0MLOPS",
        thread_ts="1.0",
        request_id="r-1",
        origin_key="msg:T:C:1.0",
    )


# ---------------------------------------------------------------------------- StopTraining (Stubber: moto lacks it)


def test_stop_shows_cost_so_far_then_stops_and_follows(deps: Any) -> None:
    deps = dataclasses.replace(deps, clock=lambda: NOW.timestamp())
    sm = deps.aws.sagemaker
    with Stubber(sm) as stub:
        stub.add_response("describe_training_job", _job(), {"TrainingJobName": "fraud-train-42"})
        stub.add_response(  # who started it: Bob, through the bot
            "list_tags",
            {"Tags": [{"Key": "chatops:requested-by", "Value": "U0BOB"}]},
            {"ResourceArn": _job()["TrainingJobArn"], "MaxResults": 100},
        )
        proposal = stop_training(request("StopTraining", jobName="fraud-train-42"), deps)
        stub.add_response("stop_training_job", {}, {"TrainingJobName": "fraud-train-42"})
        reply = run_stop_training(_approved("StopTraining", proposal.params), deps)  # type: ignore[union-attr]
        stub.assert_no_pending_responses()
    details = {k: str(v) for k, v in proposal.details}  # type: ignore[union-attr]
    assert details["Running for"] == "2 h 00 min"
    assert details["Cost so far"] == "$0.92"  # 2 × $0.23/h × 2 h
    assert "Stopping" in reply.summary
    assert [f.name for f in deps.state.active_follows()] == ["fraud-train-42"]
    # Someone else's job: the policy will ask for a second person
    assert proposal.risk.stops_a_job and proposal.risk.owner == "U0BOB"  # type: ignore[union-attr]


def test_only_a_job_in_progress_can_be_stopped(deps: Any) -> None:
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("describe_training_job", _job("Completed", "Completed"), None)
        with pytest.raises(
            InvalidInput, match=r"is not in progress \(completed\); only a job in progress"
        ):
            stop_training(request("StopTraining", jobName="fraud-train-42"), deps)


def test_stopping_a_job_that_does_not_exist(deps: Any) -> None:
    with pytest.raises(NotFound, match="no training job named ghost-job"):
        stop_training(request("StopTraining", jobName="ghost-job"), deps)


# ---------------------------------------------------------------------------- ListJobs


def _training(sm: Any, name: str) -> None:
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
        RoleArn="arn:aws:iam::123456789012:role/R",
        OutputDataConfig={"S3OutputPath": "s3://b/o"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )


def test_list_jobs_groups_by_kind_and_says_which_kinds_it_could_not_list(deps: Any) -> None:
    sm = deps.aws.sagemaker
    for i in range(12):
        _training(sm, f"job-{i:02d}")
    sm.create_processing_job(
        ProcessingJobName="features-1",
        RoleArn="arn:aws:iam::123456789012:role/R",
        AppSpecification={"ImageUri": "img"},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 10,
            }
        },
    )
    reply = list_jobs(request("ListJobs"), deps)
    text = "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)
    assert "*Training* · 0 in progress, 12 listed" in text and "…and 4 more" in text
    assert "features-1" in text
    # moto has no ListLabelingJobs: that kind says so, the others still show
    assert "*Labeling (Ground Truth)*: couldn't list them" in text


def test_list_one_kind_puts_in_progress_first(deps: Any) -> None:
    sm = deps.aws.sagemaker
    pages = {
        "TrainingJobSummaries": [
            {
                "TrainingJobName": "done-1",
                "TrainingJobArn": "arn:1",
                "CreationTime": NOW,
                "TrainingJobStatus": "Completed",
            },
            {
                "TrainingJobName": "busy-1",
                "TrainingJobArn": "arn:2",
                "CreationTime": NOW - timedelta(days=3),
                "TrainingJobStatus": "InProgress",
            },
        ]
    }
    with Stubber(sm) as stub:
        stub.add_response("list_training_jobs", pages, None)
        # the one job in progress is shown in detail too
        stub.add_response(
            "describe_training_job",
            {**_job(), "TrainingJobName": "busy-1"},
            {"TrainingJobName": "busy-1"},
        )
        reply = list_jobs(request("ListJobs", jobKind="training"), deps)
    text = str(reply.blocks[1].text)
    assert text.index("busy-1") < text.index("done-1") and "1 in progress" in text
    assert "Training job busy-1" in str(reply.blocks) and reply.about == (("training", "busy-1"),)


# ---------------------------------------------------------------------------- Autopilot


@pytest.fixture
def data(deps: Any) -> Any:
    deps.aws.s3.create_bucket(Bucket="acme-ml-data")
    deps.aws.s3.create_bucket(Bucket="acme-ml-artifacts")
    deps.aws.s3.put_object(
        Bucket="acme-ml-data", Key="churn/train.csv", Body=b"churned,tenure,plan\n0,3,b\n"
    )
    return deps


def test_autopilot_checks_the_target_column_against_the_header(data: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        start_autopilot(
            request("StartAutopilot", dataset="s3://acme-ml-data/churn/train.csv", target="churn"),
            data,
        )
    assert "Did you mean churned?" in err.value.hint


def test_autopilot_proposal_and_creation(data: Any) -> None:
    proposal = start_autopilot(
        request(
            "StartAutopilot",
            "run autopilot with 5 candidates",
            dataset="s3://acme-ml-data/churn/train.csv",
            target="churned",
        ),
        data,
    )
    assert isinstance(proposal, Proposal)
    name = proposal.params["job_name"]
    assert name.startswith("autopilot-") and len(name) <= 32
    assert proposal.params["candidates"] == 5 and proposal.params["max_runtime"] == 4 * 3600
    # moto's CreateAutoMLJobV2 insists on a ProblemType that AWS infers; check the real call shape.
    with Stubber(data.aws.sagemaker) as stub:
        stub.add_response(
            "create_auto_ml_job_v2",
            {"AutoMLJobArn": f"arn:aws:sagemaker:us-east-1:1:automl-job/{name}"},
            {
                "AutoMLJobName": name,
                "AutoMLJobInputDataConfig": [
                    {
                        "ChannelType": "training",
                        "ContentType": "text/csv;header=present",
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": "s3://acme-ml-data/churn/train.csv",
                            }
                        },
                    }
                ],
                "OutputDataConfig": {"S3OutputPath": "s3://acme-ml-artifacts/chatops"},
                "AutoMLProblemTypeConfig": {
                    "TabularJobConfig": {
                        "TargetAttributeName": "churned",
                        "CompletionCriteria": {
                            "MaxCandidates": 5,
                            "MaxAutoMLJobRuntimeInSeconds": 14400,
                            "MaxRuntimePerTrainingJobInSeconds": 3600,
                        },
                    }
                },
                "RoleArn": data.settings.sagemaker_role_arn,
                "Tags": ANY,
            },
        )
        reply = run_start_autopilot(_approved("StartAutopilot", proposal.params), data)
    assert "Started Autopilot job" in reply.summary
    assert [(f.kind, f.name) for f in data.state.active_follows()] == [("autopilot", name)]


# ---------------------------------------------------------------------------- prices


def test_price_list_api_answer_is_used_when_reachable() -> None:
    import boto3

    pricing = boto3.client("pricing", region_name="us-east-1")
    product = {
        "product": {"attributes": {"instanceName": "ml.m5.xlarge", "component": "Training"}},
        "terms": {
            "OnDemand": {
                "SKU.JRTCKXETXF": {
                    "priceDimensions": {
                        "SKU.JRTCKXETXF.6YS6EN2CT7": {
                            "unit": "Hrs",
                            "pricePerUnit": {"USD": "0.2300000000"},
                            "description": "$0.23 per Hour",
                        }
                    }
                }
            }
        },
    }
    with Stubber(pricing) as stub:
        stub.add_response(
            "get_products",
            {"PriceList": [json.dumps(product)], "FormatVersion": "aws_v1"},
            {
                "ServiceCode": "AmazonSageMaker",
                "MaxResults": 10,
                "Filters": [
                    {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-3"},
                    {"Type": "TERM_MATCH", "Field": "instanceName", "Value": "ml.m5.xlarge"},
                    {"Type": "TERM_MATCH", "Field": "component", "Value": "Training"},
                ],
            },
        )
        price = hourly_price("ml.m5.xlarge", "training", region="eu-west-3", pricing=pricing)
    assert price == hourly_price(
        "ml.m5.xlarge", "training", region="eu-west-3", pricing=pricing
    )  # cached
    assert price is not None and (price.hourly_usd, price.source) == (0.23, "AWS Price List API")


def test_snapshot_when_the_price_list_api_fails() -> None:
    import boto3

    pricing = boto3.client("pricing", region_name="us-east-1")
    with Stubber(pricing) as stub:
        stub.add_client_error("get_products", "AccessDeniedException", "no", 403)
        price = hourly_price("ml.c5.xlarge", "training", region="eu-central-1", pricing=pricing)
    assert price is not None and price.hourly_usd == 0.204
    assert price.source == "price snapshot of 2026-11-01, us-east-1 prices"


def _count_calls(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register_first(
        "before-call.*.*", lambda model, **_: calls.append(model.name)
    )
    return calls


def test_no_price_is_remembered_too() -> None:
    import boto3

    pricing = boto3.client("pricing", region_name="us-east-1")
    calls = _count_calls(pricing)
    with Stubber(pricing) as stub:
        # Given a Price List API that has no price for an instance type
        stub.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"})
        # When three idle endpoints of that type are priced
        prices = [
            hourly_price("ml.c5.2xlarge", "hosting", region="ap-south-1", pricing=pricing)
            for _ in range(3)
        ]
    # Then the API was asked once, and the snapshot answered every time
    assert calls == ["GetProducts"]
    assert prices[0] == prices[1] == prices[2] and prices[0] is not None
    assert prices[0].source.startswith("price snapshot")


def test_a_failing_price_list_api_is_left_alone_for_a_while() -> None:
    import boto3

    pricing = boto3.client("pricing", region_name="us-east-1")
    calls = _count_calls(pricing)
    with Stubber(pricing) as stub:
        stub.add_client_error("get_products", "ThrottlingException", "slow down", 400)
        stub.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"})
        for instance in ("ml.m5.large", "ml.c5.xlarge", "ml.t2.medium"):
            hourly_price(instance, "hosting", region="sa-east-1", pricing=pricing, now=1000.0)
        assert calls == ["GetProducts"]  # the other two used the snapshot without asking
        # Five minutes later it is asked again
        hourly_price("ml.t2.medium", "hosting", region="sa-east-1", pricing=pricing, now=1301.0)
    assert calls == ["GetProducts", "GetProducts"]


def test_list_jobs_says_when_aws_kept_throttling_the_listing(deps: Any) -> None:
    summary = {
        "TrainingJobName": "churn-xgb-1",
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgb-1",
        "CreationTime": NOW,
        "TrainingJobStatus": "InProgress",
    }
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response(
            "list_training_jobs", {"TrainingJobSummaries": [summary], "NextToken": "t2"}
        )
        stub.add_client_error("list_training_jobs", "ThrottlingException", "Rate exceeded", 400)
        reply = list_jobs(request("ListJobs", jobKind="training"), deps)
    text = str(reply.blocks[1].text)
    assert "churn-xgb-1" in text and "1 listed (partial: AWS kept throttling the listing)" in text
    assert reply.summary == "1 SageMaker jobs in progress (partial: AWS kept throttling a listing)"
