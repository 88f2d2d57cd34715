"""Cost Explorer (Stubber: moto answers nothing by default), Budgets and idle resources (moto),
Model Monitor (Stubber: moto lacks it)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from intents.costs import budget_status, cost_report, idle_resources, monitor_summary, period_range
from tests.conftest import ROLE_ARN, request

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed(deps: Any) -> Any:
    return dataclasses.replace(deps, clock=lambda: NOW.timestamp())


def test_periods_are_calendar_weeks_and_months() -> None:
    today = date(2026, 11, 27)  # a Friday
    assert period_range("this_week", today) == (date(2026, 11, 23), date(2026, 11, 28))
    assert period_range("last_week", today) == (date(2026, 11, 16), date(2026, 11, 23))
    assert period_range("last_month", today) == (date(2026, 10, 1), date(2026, 11, 1))
    assert period_range("yesterday", today) == (date(2026, 11, 26), date(2026, 11, 27))


def _ce_page(
    groups: dict[str, float], start: str, end: str, token: str | None = None
) -> dict[str, Any]:
    page: dict[str, Any] = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": start, "End": end},
                "Total": {},
                "Estimated": False,
                "Groups": [
                    {"Keys": [k], "Metrics": {"UnblendedCost": {"Amount": str(v), "Unit": "USD"}}}
                    for k, v in groups.items()
                ],
            }
        ],
        "DimensionValueAttributes": [],
    }
    if token:
        page["NextPageToken"] = token
    return page


def test_cost_report_by_service_follows_pages_and_compares(fixed: Any) -> None:
    ce = fixed.aws.client("ce")
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage",
            _ce_page({"Amazon SageMaker": 700.0}, "2026-11-16", "2026-11-23", "t2"),
            {
                "TimePeriod": {"Start": "2026-11-16", "End": "2026-11-23"},
                "Granularity": "DAILY",
                "Metrics": ["UnblendedCost"],
                "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
                "Filter": {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}},
            },
        )
        stub.add_response(
            "get_cost_and_usage",
            _ce_page({"Amazon SageMaker": 100.0}, "2026-11-16", "2026-11-23"),
            {
                "TimePeriod": ANY,
                "Granularity": "DAILY",
                "Metrics": ANY,
                "GroupBy": ANY,
                "Filter": ANY,
                "NextPageToken": "t2",
            },
        )
        stub.add_response(
            "get_cost_and_usage",
            _ce_page({"Amazon SageMaker": 1000.0}, "2026-11-09", "2026-11-16"),
            {
                "TimePeriod": {"Start": "2026-11-09", "End": "2026-11-16"},
                "Granularity": "DAILY",
                "Metrics": ANY,
                "GroupBy": ANY,
                "Filter": ANY,
            },
        )
        reply = cost_report(request("CostReport", period="last_week", service="sagemaker"), fixed)
    assert reply.summary == "Amazon SageMaker costs last week: $800.00"
    assert "down 20% vs the 7 days before" in str(reply.blocks[1].text)


def test_budgets_tightest_first_with_forecast(fixed: Any) -> None:
    budgets = fixed.aws.client("budgets")
    for name, limit, actual, forecast in (
        ("small", 100, 20, 30),
        ("ml-platform-monthly", 5000, 4312.55, 5480.10),
    ):
        budgets.create_budget(
            AccountId="123456789012",
            Budget={
                "BudgetName": name,
                "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
                "CalculatedSpend": {
                    "ActualSpend": {"Amount": str(actual), "Unit": "USD"},
                    "ForecastedSpend": {"Amount": str(forecast), "Unit": "USD"},
                },
            },
        )
    reply = budget_status(request("BudgetStatus"), fixed)
    text = str(reply.blocks[1].text)
    assert text.index("ml-platform-monthly") < text.index("small")
    assert "$4,313 of $5,000 used (86%)" in text and "forecast $5,480, over by $480.10" in text
    assert reply.summary == "1 of 2 budgets at 80% or more"  # as each budget's share is written
    one = budget_status(request("BudgetStatus", budgetName="small"), fixed)
    assert "small" in str(one.blocks[1].text) and "ml-platform" not in str(one.blocks[1].text)


def test_idle_finds_quiet_endpoints_and_old_notebooks(deps: Any) -> None:
    sm = deps.aws.sagemaker
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": "i", "ModelDataUrl": "s3://b/m"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 2,
            }
        ],
    )
    sm.create_endpoint(EndpointName="quiet-ep", EndpointConfigName="c")
    sm.create_notebook_instance(
        NotebookInstanceName="old-notebook", InstanceType="ml.t3.xlarge", RoleArn=ROLE_ARN
    )
    later = dataclasses.replace(
        deps, clock=lambda: (datetime.now(UTC) + timedelta(days=3)).timestamp()
    )
    reply = idle_resources(request("IdleResources"), later)
    text = str(reply.blocks[1].text)
    assert "quiet-ep*: no invocations in 24 h, costs $0.23/h" in text  # 2 × ml.m5.large
    assert "old-notebook* (ml.t3.xlarge) running for 3 days" in text


def _training_job(sm: Any, name: str, *, status: str, secondary: str, hours: float) -> None:
    from moto.sagemaker.models import sagemaker_backends

    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
        RoleArn=ROLE_ARN,
        OutputDataConfig={"S3OutputPath": "s3://b/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 86400},
    )
    job = sagemaker_backends["123456789012"]["us-east-1"].training_jobs[name]
    job.training_job_status, job.secondary_status = status, secondary
    job.creation_time = job.training_start_time = datetime.now(UTC) - timedelta(hours=hours)


def test_idle_finds_stuck_jobs_with_one_search(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _training_job(sm, "stuck-job", status="InProgress", secondary="Starting", hours=3)
    _training_job(sm, "fine-job", status="InProgress", secondary="Training", hours=3)
    _training_job(sm, "old-job", status="Completed", secondary="Completed", hours=30)
    calls: list[str] = []
    sm.meta.events.register("before-call.sagemaker.*", lambda model, **_: calls.append(model.name))
    reply = idle_resources(request("IdleResources"), deps)
    assert "stuck-job* starting for 3.0 h (limit 24 h)" in str(reply.blocks[1].text)
    assert "fine-job" not in str(reply.blocks[1].text)
    assert calls.count("Search") == 1 and "DescribeTrainingJob" not in calls


def test_idle_without_search_permission_describes_each_job_in_progress(deps: Any) -> None:
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    sm = deps.aws.sagemaker
    _training_job(sm, "stuck-job", status="InProgress", secondary="Starting", hours=3)

    # Given a role without sagemaker:Search (it came to the IAM policy later)
    def deny(**_: Any) -> Any:
        error = {"Code": "AccessDeniedException", "Message": "not authorized: sagemaker:Search"}
        return AWSResponse("https://x", 403, HTTPHeaders(), None), {"Error": error}

    sm.meta.events.register_first("before-call.sagemaker.Search", deny)
    calls: list[str] = []
    sm.meta.events.register_first(
        "before-call.sagemaker.*", lambda model, **_: calls.append(model.name)
    )
    reply = idle_resources(request("IdleResources"), deps)
    # Then the answer is the same, from the listing and a describe per job in progress
    assert "stuck-job* starting for 3.0 h" in str(reply.blocks[1].text)
    assert calls.count("DescribeTrainingJob") == 1


def test_monitor_summary_counts_violations(fixed: Any) -> None:
    sm = fixed.aws.sagemaker
    with Stubber(sm) as stub:
        stub.add_response(
            "list_monitoring_schedules",
            {
                "MonitoringScheduleSummaries": [
                    {
                        "MonitoringScheduleName": "fraud-dq",
                        "MonitoringScheduleArn": "arn:aws:sagemaker:us-east-1:1:monitoring-schedule/fraud-dq",
                        "CreationTime": NOW,
                        "LastModifiedTime": NOW,
                        "MonitoringScheduleStatus": "Scheduled",
                        "EndpointName": "fraud-detector-prod",
                        "MonitoringType": "DataQuality",
                    }
                ]
            },
            {"EndpointName": "fraud-detector-prod", "MaxResults": 100},
        )
        stub.add_response(
            "list_monitoring_executions",
            {
                "MonitoringExecutionSummaries": [
                    {
                        "MonitoringScheduleName": "fraud-dq",
                        "ScheduledTime": NOW - timedelta(hours=h),
                        "CreationTime": NOW,
                        "LastModifiedTime": NOW,
                        "MonitoringExecutionStatus": s,
                    }
                    for h, s in (
                        (1, "CompletedWithViolations"),
                        (7, "CompletedWithViolations"),
                        (13, "Completed"),
                        (19, "Failed"),
                    )
                ]
            },
            {
                "MonitoringScheduleName": "fraud-dq",
                "ScheduledTimeAfter": NOW - timedelta(days=7),
                "SortBy": "ScheduledTime",
                "SortOrder": "Descending",
                "MaxResults": 50,
            },
        )
        reply = monitor_summary(
            request("MonitorSummary", endpointName="fraud-detector-prod"), fixed
        )
    text = str(reply.blocks[1].text)
    assert "4 runs in 7 days, 2 with violations, 1 failed · last: CompletedWithViolations" in text
    assert reply.summary.startswith("1 of 1 monitoring schedules found violations")


def test_idle_says_which_listing_aws_kept_throttling(fixed: Any) -> None:
    notebook = {
        "NotebookInstanceName": "old-notebook",
        "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/old",
        "NotebookInstanceStatus": "InService",
        "InstanceType": "ml.t3.xlarge",
        "CreationTime": NOW - timedelta(days=5),
        "LastModifiedTime": NOW - timedelta(days=5),
    }
    with Stubber(fixed.aws.sagemaker) as stub:
        stub.add_response("list_endpoints", {"Endpoints": []})
        stub.add_response(
            "list_notebook_instances", {"NotebookInstances": [notebook], "NextToken": "t2"}
        )
        stub.add_client_error(
            "list_notebook_instances", "ThrottlingException", "Rate exceeded", 400
        )
        stub.add_response("search", {"Results": []})
        reply = idle_resources(request("IdleResources"), fixed)
    assert "old-notebook* (ml.t3.xlarge) running for 5 days" in str(reply.blocks[1].text)
    assert "AWS kept throttling the notebooks listing, so only the first 1 notebooks" in str(
        reply.blocks[3].text
    )
    assert reply.summary.endswith("(partial: AWS kept throttling a listing)")
