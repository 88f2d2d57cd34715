"""What a Lambda invocation is, from the recorded shapes in tests/events/aws/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.aws_lambda.events import (
    SAGEMAKER,
    Http,
    SageMakerChange,
    ScheduleFire,
    Sweep,
    Unknown,
    classify,
    scheduled_time,
)
from tests.conftest import EVENTS


def aws_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / "aws" / f"{name}.json").read_text())
    return data


@pytest.mark.parametrize(
    ("name", "kind", "job", "status"),
    [
        ("sagemaker_training_job_state_change", "training", "kmeans-1", "Completed"),
        (
            "sagemaker_processing_job_state_change",
            "processing",
            "integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02",
            "Failed",
        ),
        (
            "sagemaker_transform_job_state_change",
            "transform",
            "4b52bd8f-e034-4345-818d-884bdd7c9724",
            "another status... GO",
        ),
        (
            "sagemaker_hyperparameter_tuning_job_state_change",
            "tuning",
            "016bffd3-6d71-4d3a-9710-0a332b2759fc",
            "status",
        ),
        ("sagemaker_endpoint_state_change", "endpoint", "MyEndpoint", "IN_SERVICE"),
    ],
)
def test_each_sagemaker_state_change_names_the_follow_it_concerns(
    name: str, kind: str, job: str, status: str
) -> None:
    event = aws_event(name)
    assert event["detail-type"] in SAGEMAKER
    assert classify(event) == SageMakerChange(event["detail-type"], status, ((kind, job),))


def test_every_detail_type_understood_has_a_recorded_sample() -> None:
    recorded = {aws_event(p.stem)["detail-type"] for p in (EVENTS / "aws").glob("sagemaker_*.json")}
    assert recorded == set(SAGEMAKER)


def test_an_autopilot_jobs_own_job_names_the_autopilot_job() -> None:
    event = aws_event("sagemaker_training_job_state_change")
    event["detail"]["AutoMLJobArn"] = "arn:aws:sagemaker:us-east-1:123:automl-job/churn-ap"
    change = classify(event)
    assert isinstance(change, SageMakerChange)
    assert change.follows == (("training", "kmeans-1"), ("autopilot", "churn-ap"))


@pytest.mark.parametrize(
    "name", ["apigateway_http_v2", "apigateway_rest_v1", "lambda_function_url"]
)
def test_http_requests_through_api_gateway_or_a_function_url(name: str) -> None:
    assert classify(aws_event(name)) == Http()


def test_schedules_and_the_sweep() -> None:
    fire = classify(aws_event("scheduler_report_fire"))
    assert fire == ScheduleFire("C0MLOPS:budget", datetime(2025, 3, 7, 17, 0, tzinfo=UTC))
    assert classify({"chatops": "sweep"}) == Sweep()
    # A fire whose time is missing or garbled still fires (its time is worked out instead)
    assert classify({"chatops": "schedule", "schedule_id": "C1:cost"}) == ScheduleFire(
        "C1:cost", None
    )
    assert scheduled_time("<aws.scheduler.scheduled-time>") is None
    assert scheduled_time("2025-03-07T17:00:00") == datetime(2025, 3, 7, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    "event",
    [
        {},
        [],
        None,
        aws_event("s3_object_created"),
        aws_event("scheduler_default_event"),
        {"chatops": "schedule", "schedule_id": "x" * 1000},
        {"chatops": "schedule", "schedule_id": "C1:cost\n"},
        aws_event("sagemaker_training_job_state_change") | {"detail": "{}"},
    ],
)
def test_anything_else_is_unknown_and_says_why_without_values(event: Any) -> None:
    kind = classify(event)
    assert isinstance(kind, Unknown)
    assert "acme-ml-data" not in kind.why and "x" * 50 not in kind.why
