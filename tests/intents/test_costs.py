"""Cost Explorer (Stubber: moto answers nothing by default), Budgets and idle resources (moto),
Model Monitor (Stubber: moto lacks it)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _days(
    start: date, end: date, per_day: dict[str, float], token: str | None = None
) -> dict[str, Any]:
    """A Cost Explorer page with one result per day of [start, end)."""
    page = _ce_page({}, "", "", token)
    page["ResultsByTime"] = [
        _ce_page(
            per_day,
            (start + timedelta(days=i)).isoformat(),
            (start + timedelta(days=i + 1)).isoformat(),
        )["ResultsByTime"][0]
        for i in range((end - start).days)
    ]
    return page


NO_ANOMALIES = {"Anomalies": []}


def test_cost_report_by_service_follows_pages_and_compares(fixed: Any) -> None:
    ce = fixed.aws.client("ce")
    # last week (Nov 16-22), the week before it (Nov 9-15): one listing of both, every
    # service, in two pages; the service is picked from it.
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage",
            _days(
                date(2026, 11, 9),
                date(2026, 11, 16),
                {"Amazon SageMaker": 1000 / 7, "Amazon S3": 5.0},
                "t2",
            ),
            {
                "TimePeriod": {"Start": "2026-11-09", "End": "2026-11-23"},
                "Granularity": "DAILY",
                "Metrics": ["UnblendedCost"],
                "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
            },
        )
        stub.add_response(
            "get_cost_and_usage",
            _days(date(2026, 11, 16), date(2026, 11, 23), {"Amazon SageMaker": 800 / 7}),
            {
                "TimePeriod": ANY,
                "Granularity": "DAILY",
                "Metrics": ANY,
                "GroupBy": ANY,
                "NextPageToken": "t2",
            },
        )
        stub.add_response(
            "get_anomalies",
            NO_ANOMALIES,
            {
                "DateInterval": {"StartDate": "2026-11-16", "EndDate": "2026-11-22"},
                "MaxResults": 100,
            },
        )
        reply = cost_report(request("CostReport", period="last_week", service="sagemaker"), fixed)
    assert reply.summary == "Amazon SageMaker costs last week: $800.00"
    assert "down 20% vs Nov 09–Nov 15" in str(reply.blocks[1].text)
    assert [f.filename for f in reply.files] == ["cost-per-day.png"]
    assert "Amazon SageMaker" in reply.files[0].alt


def test_no_comparison_with_days_before_the_data_begins(fixed: Any) -> None:
    ce = fixed.aws.client("ce")
    with Stubber(ce) as stub:
        # Data only from Oct 20: "last month" cannot be compared with September.
        stub.add_response(
            "get_cost_and_usage",
            _days(date(2026, 10, 20), date(2026, 11, 1), {"Amazon SageMaker": 100.0}),
        )
        stub.add_response("get_anomalies", NO_ANOMALIES)
        reply = cost_report(request("CostReport", period="last_month"), fixed)
    text = str(reply.blocks[1].text)
    assert "no cost data before Oct 20 to compare with" in text and "%" not in text


def test_today_is_not_compared_with_a_whole_day(fixed: Any) -> None:
    ce = fixed.aws.client("ce")
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage", _days(date(2026, 11, 1), date(2026, 11, 28), {"Amazon S3": 10.0})
        )
        stub.add_response("get_anomalies", NO_ANOMALIES)
        reply = cost_report(request("CostReport", period="today"), fixed)
    assert str(reply.blocks[1].text) == "*$10.00* spent on Nov 27."


@pytest.mark.parametrize(
    "text",
    [
        "how much did we spend next year",
        "costs in 2023",
        "cost last quarter",
        "spend in the last 30 days",
    ],
)
def test_periods_the_catalog_lacks_are_refused_with_the_forms(fixed: Any, text: str) -> None:
    from intents.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        cost_report(request("CostReport", text), fixed)
    assert "this week, last week, this month or last month" in (refused.value.hint or "")


def test_this_month_has_a_forecast_anomalies_an_other_row_and_a_csv(fixed: Any) -> None:
    ce = fixed.aws.client("ce")
    services = {f"Service {i:02d}": float(40 - i) for i in range(14)}
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage", _days(date(2026, 10, 1), date(2026, 11, 28), services)
        )
        stub.add_response(
            "get_cost_forecast",
            {
                "Total": {"Amount": "1200.0", "Unit": "USD"},
                "ForecastResultsByTime": [
                    {
                        "TimePeriod": {"Start": f"2026-11-{d}", "End": f"2026-11-{d + 1}"},
                        "MeanValue": "300.0",
                        "PredictionIntervalLowerBound": "250.0",
                        "PredictionIntervalUpperBound": "350.0",
                    }
                    for d in (27, 28, 29)
                ]
                + [
                    {
                        "TimePeriod": {"Start": "2026-11-30", "End": "2026-12-01"},
                        "MeanValue": "300.0",
                        "PredictionIntervalLowerBound": "250.0",
                        "PredictionIntervalUpperBound": "350.0",
                    }
                ],
            },
            {
                "TimePeriod": {"Start": "2026-11-27", "End": "2026-12-01"},
                "Metric": "UNBLENDED_COST",
                "Granularity": "DAILY",
                "PredictionIntervalLevel": 80,
            },
        )
        stub.add_response(
            "get_anomalies",
            {
                "Anomalies": [
                    {
                        "AnomalyId": "a1",
                        "AnomalyStartDate": "2026-11-20",
                        "AnomalyEndDate": "2026-11-22",
                        "DimensionValue": "Service 03",
                        "RootCauses": [
                            {"Service": "Service 03", "Region": "us-east-1", "UsageType": "GPU"}
                        ],
                        "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.1},
                        "Impact": {
                            "MaxImpact": 100.0,
                            "TotalImpact": 250.0,
                            "TotalExpectedSpend": 400.0,
                        },
                        "MonitorArn": "arn:aws:ce::123456789012:anomalymonitor/m",
                    }
                ]
            },
        )
        reply = cost_report(request("CostReport", period="this_month"), fixed)
    rows = dict(reply.blocks[2].fields)
    assert len(rows) == 11 and rows["Other (4 services)"] == "$3,078 (24%)"
    shares = [int(v.rsplit("(", 1)[1].rstrip("%)")) for v in rows.values()]
    assert 98 <= sum(shares) <= 102  # every service counted, rounding aside
    text = " ".join(str(getattr(b, "text", "")) for b in reply.blocks)
    # Nov 1-26 spent, today's day and three more forecast
    assert (
        "Forecast for November: *$13,394* ($12,194 to Nov 26, $1,200 more from today to Nov 30"
        in text
    )
    assert "*Service 03* Nov 20–Nov 22: $250.00 above the expected $400.00 (us-east-1, GPU)" in text
    names = [f.filename for f in reply.files]
    assert names == ["cost-per-day.png", "costs-this-month-by-service.csv"]
    assert reply.files[1].content.decode().count("\n") == 15  # header and all 14 services
    assert "hatched bars forecast $1,200 more to Nov 30" in reply.files[0].alt


def test_the_hourly_report_covers_the_last_24_hours(fixed: Any) -> None:
    import dataclasses

    ce = fixed.aws.client("ce")
    just_after_midnight = datetime(2026, 11, 27, 0, 5, tzinfo=UTC).timestamp()
    deps = dataclasses.replace(fixed, clock=lambda: just_after_midnight)
    scheduled = dataclasses.replace(
        request("CostReport", period="last_24_hours"), source="schedule"
    )
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage",
            _ce_page({"Amazon SageMaker": 150.0}, "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"),
            {
                "TimePeriod": {"Start": "2026-11-26T00:00:00Z", "End": "2026-11-27T00:00:00Z"},
                "Granularity": "HOURLY",
                "Metrics": ["UnblendedCost"],
                "GroupBy": ANY,
            },
        )
        reply = cost_report(scheduled, deps)
    assert reply.summary == "Costs in the last 24 hours: $150.00"
    with Stubber(ce) as stub:
        stub.add_client_error(
            "get_cost_and_usage",
            "ValidationException",
            "Hourly granularity is not enabled for this account",
        )
        stub.add_response(
            "get_cost_and_usage",
            _days(date(2026, 11, 26), date(2026, 11, 28), {"Amazon SageMaker": 75.0}),
            {
                "TimePeriod": {"Start": "2026-11-26", "End": "2026-11-28"},
                "Granularity": "DAILY",
                "Metrics": ANY,
                "GroupBy": ANY,
            },
        )
        reply = cost_report(scheduled, deps)
    assert reply.summary == "Costs in the last 24 hours: $150.00"
    assert "yesterday and today so far" in str(reply.blocks[1].text)
    assert "hourly data is not turned on" in str(reply.blocks[-1].text)


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
    # one money format in a line: whole dollars, since the line has amounts over $1,000
    assert "$4,313 of $5,000 used (86%)" in text and "forecast $5,480, over by $480" in text
    assert "$20.00 of $100.00 used (20%)" in text
    assert reply.summary == "1 of 2 budgets at 80% or more"  # as each budget's share is written
    (chart,) = reply.files
    assert chart.filename == "budgets.png" and "ml-platform-monthly" in chart.alt
    one = budget_status(request("BudgetStatus", budgetName="small"), fixed)
    assert "small" in str(one.blocks[1].text) and "ml-platform" not in str(one.blocks[1].text)
    from intents.errors import NotFound

    with pytest.raises(NotFound, match="no budget named nosuch"):
        budget_status(request("BudgetStatus", budgetName="nosuch"), fixed)


def test_forty_two_budgets_tightest_first_the_rest_counted_and_attached(fixed: Any) -> None:
    budgets = fixed.aws.client("budgets")
    for i in range(42):
        budgets.create_budget(
            AccountId="123456789012",
            Budget={
                "BudgetName": f"team-{i:02d}-monthly-budget-with-a-long-name",
                "BudgetLimit": {"Amount": "1000", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
                "CalculatedSpend": {
                    "ActualSpend": {"Amount": str(10.0 * i + 0.5), "Unit": "USD"},
                    "ForecastedSpend": {"Amount": str(25.0 * i), "Unit": "USD"},
                },
            },
        )
    reply = budget_status(request("BudgetStatus"), fixed)
    text = str(reply.blocks[1].text)
    shown = text.count("team-")
    assert text.startswith(":large_green_circle: *team-41-") and len(text) <= 3000
    assert text.endswith(
        f"…and {42 - shown} more budgets, the least used (the whole list is in budgets.csv)"
    )
    chart, listed = reply.files
    assert listed.content.decode().count("\n") == 43 and chart.filename == "budgets.png"


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
    text = _text(reply)
    assert "quiet-ep*: no invocations in 24 h, costs $0.23/h" in text  # 2 × ml.m5.large
    assert "old-notebook* (ml.t3.xlarge) running for 3 days" in text
    # each finding offers its change, asked for as whoever clicks
    buttons = {
        b.accessory.label: b.accessory for b in reply.blocks if getattr(b, "accessory", None)
    }
    assert json.loads(buttons["Delete quiet-ep"].value) == {
        "i": "DeleteEndpoint",
        "s": {"endpointName": "quiet-ep"},
    }
    assert json.loads(buttons["Stop old-notebook"].value)["i"] == "StopNotebook"
    # A day younger, the same endpoint and notebook are not idle yet
    assert idle_resources(request("IdleResources"), deps).summary == "Nothing idle"


def _text(reply: Any) -> str:
    return "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)


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
    assert "stuck-job* starting for 3.0 h (limit 24 h)" in _text(reply)
    assert "fine-job" not in _text(reply)
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
    assert "stuck-job* starting for 3.0 h" in _text(reply)
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
                    | ({"ProcessingJobArn": f"arn:aws:sagemaker:us-east-1:1:processing-job/mm-{h}"})
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
        # The latest run's report: its processing job's output, in S3.
        stub.add_response(
            "describe_processing_job",
            {
                "ProcessingJobName": "mm-1",
                "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:1:processing-job/mm-1",
                "ProcessingJobStatus": "Completed",
                "CreationTime": NOW,
                "AppSpecification": {"ImageUri": "model-monitor-analyzer"},
                "ProcessingResources": {
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.xlarge",
                        "VolumeSizeInGB": 20,
                    }
                },
                "RoleArn": ROLE_ARN,
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {
                            "OutputName": "result",
                            "S3Output": {
                                "S3Uri": "s3://monitoring-out/fraud/2026/11/27/11",
                                "LocalPath": "/opt/ml/processing/resultdata",
                                "S3UploadMode": "EndOfJob",
                            },
                        }
                    ]
                },
            },
            {"ProcessingJobName": "mm-1"},
        )
        s3 = fixed.aws.s3
        s3.create_bucket(Bucket="monitoring-out")
        s3.put_object(
            Bucket="monitoring-out",
            Key="fraud/2026/11/27/11/constraint_violations.json",
            Body=json.dumps(
                {
                    "violations": [
                        {
                            "feature_name": "hour",
                            "constraint_check_type": "extra_column_check",
                            "description": "extra",
                        },
                        {
                            "feature_name": "country",
                            "constraint_check_type": "baseline_drift_check",
                            "description": "Baseline drift distance: 0.23 exceeds threshold: 0.1",
                        },
                        {
                            "feature_name": "amount",
                            "constraint_check_type": "baseline_drift_check",
                            "description": "Baseline drift distance: 0.41 exceeds threshold: 0.1",
                        },
                    ]
                }
            ),
        )
        reply = monitor_summary(
            request("MonitorSummary", endpointName="fraud-detector-prod"), fixed
        )
    answer, rows = str(reply.blocks[1].text), str(reply.blocks[2].text)
    assert "4 runs in 7 days, 2 with violations, 1 failed · last: CompletedWithViolations" in rows
    # the features, most severe check first
    assert "drifted from the baseline: *amount*, *country*; unexpected column: *hour*" in answer
    assert reply.summary.startswith("fraud-detector-prod: amount, country, hour violated")


@contextmanager
def answering(
    client: Any, answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]
) -> Iterator[None]:
    """The client's calls of these operations answered from the request, whatever the order
    they come in (Stubber answers in order, and these come from several threads)."""
    from botocore.awsrequest import AWSResponse

    def handler(model: Any, params: dict[str, Any], **_: Any) -> Any:
        answer = answers.get(model.name)
        if answer is None:
            return None
        return AWSResponse("", 200, {}, None), answer(json.loads(params["body"] or b"{}"))

    event = f"before-call.{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.register(event, handler)
    try:
        yield
    finally:
        client.meta.events.unregister(event, handler)


def test_sixty_two_schedules_most_severe_first_with_model_quality_on_top(fixed: Any) -> None:
    kinds = ["DataQuality", "ModelQuality"]
    schedules = [
        {
            "MonitoringScheduleName": f"sched-{i:02d}",
            "MonitoringScheduleArn": f"arn:aws:sagemaker:us-east-1:1:monitoring-schedule/sched-{i:02d}",
            "CreationTime": NOW,
            "LastModifiedTime": NOW,
            "MonitoringScheduleStatus": "Scheduled",
            "EndpointName": f"endpoint-{i:02d}",
            "MonitoringType": kinds[i % 2],
        }
        for i in range(62)
    ]
    # the last two (a data- and a model-quality schedule) violate in their latest run
    statuses = {60: "CompletedWithViolations", 61: "CompletedWithViolations", 5: "Failed"}
    reports = {
        "sched-60": [{"feature_name": "amount", "constraint_check_type": "baseline_drift_check"}],
        "sched-61": [
            {
                "metric_name": "auc",
                "constraint_check_type": "LessThanThreshold",
                "description": "auc 0.71 is below the threshold 0.85",
            }
        ],
    }
    s3 = fixed.aws.s3
    s3.create_bucket(Bucket="monitoring-out")
    for name, violations in reports.items():
        s3.put_object(
            Bucket="monitoring-out",
            Key=f"{name}/constraint_violations.json",
            Body=json.dumps({"violations": violations}),
        )

    def executions(params: dict[str, Any]) -> dict[str, Any]:
        i = int(params["MonitoringScheduleName"].rsplit("-", 1)[1])
        return {
            "MonitoringExecutionSummaries": [
                {
                    "MonitoringScheduleName": params["MonitoringScheduleName"],
                    "ScheduledTime": NOW - timedelta(hours=1),
                    "CreationTime": NOW,
                    "LastModifiedTime": NOW,
                    "MonitoringExecutionStatus": statuses.get(i, "Completed"),
                    "ProcessingJobArn": f"arn:aws:sagemaker:us-east-1:1:processing-job/{params['MonitoringScheduleName']}",
                }
            ]
        }

    def processing_job(params: dict[str, Any]) -> dict[str, Any]:
        name = params["ProcessingJobName"]
        return {
            "ProcessingJobName": name,
            "ProcessingJobArn": f"arn:aws:sagemaker:us-east-1:1:processing-job/{name}",
            "ProcessingJobStatus": "Completed",
            "CreationTime": NOW,
            "AppSpecification": {"ImageUri": "model-monitor-analyzer"},
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 20,
                }
            },
            "RoleArn": ROLE_ARN,
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "result",
                        "S3Output": {
                            "S3Uri": f"s3://monitoring-out/{name}",
                            "LocalPath": "/opt/ml/processing/resultdata",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
        }

    with answering(
        fixed.aws.sagemaker,
        {
            "ListMonitoringSchedules": lambda _: {"MonitoringScheduleSummaries": schedules},
            "ListMonitoringExecutions": executions,
            "DescribeProcessingJob": processing_job,
        },
    ):
        reply = monitor_summary(request("MonitorSummary"), fixed)
    rows = str(reply.blocks[2].text).split("\n")
    assert "endpoint-61" in rows[0] and "*auc* auc 0.71 is below the threshold 0.85" in rows[1]
    assert "endpoint-60" in rows[2] and "drifted from the baseline: *amount*" in rows[3]
    assert "endpoint-05" in rows[4] and "1 failed" in rows[4]
    shown = sum(1 for r in rows if "endpoint-" in r)
    assert (
        rows[-1]
        == f"…and {62 - shown} more schedules, the cleanest (the whole list is in model-monitor.csv)"
    )
    (listed,) = reply.files
    assert listed.content.decode().count("\n") == 63
    assert reply.summary == "2 of 62 monitoring schedules found violations this week"


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
        stub.add_response("list_apps", {"Apps": []})
        stub.add_response("search", {"Results": []})
        reply = idle_resources(request("IdleResources"), fixed)
    assert "old-notebook* (ml.t3.xlarge) running for 5 days" in _text(reply)
    assert "AWS kept throttling the notebooks listing, so only the first 1 notebooks" in _text(
        reply
    )
    assert reply.summary.endswith("(partial: AWS kept throttling a listing)")


STUDIO_APPS = [
    {
        "DomainId": "d-1",
        "SpaceName": "dana-gpu-space",
        "AppType": "JupyterLab",
        "AppName": "dana-gpu-lab",
        "Status": "InService",
        "CreationTime": NOW - timedelta(days=12),
        "ResourceSpec": {"InstanceType": "ml.g4dn.xlarge"},
    },
    {  # busy an hour ago
        "DomainId": "d-1",
        "SpaceName": "sam-space",
        "AppType": "JupyterLab",
        "AppName": "sam-lab",
        "Status": "InService",
        "CreationTime": NOW - timedelta(days=3),
        "ResourceSpec": {"InstanceType": "ml.t3.medium"},
    },
    {  # the classic Jupyter server costs nothing
        "DomainId": "d-1",
        "UserProfileName": "lee",
        "AppType": "JupyterServer",
        "AppName": "default",
        "Status": "InService",
        "CreationTime": NOW - timedelta(days=90),
        "ResourceSpec": {"InstanceType": "system"},
    },
    {  # created an hour ago: not idle yet
        "DomainId": "d-1",
        "UserProfileName": "lee",
        "AppType": "CodeEditor",
        "AppName": "lee-editor",
        "Status": "InService",
        "CreationTime": NOW - timedelta(hours=1),
        "ResourceSpec": {"InstanceType": "ml.t3.large"},
    },
]


def _studio(params: dict[str, Any]) -> dict[str, Any]:
    app = next(a for a in STUDIO_APPS if a["AppName"] == params["AppName"])
    active = NOW - (timedelta(days=4) if app["AppName"] == "dana-gpu-lab" else timedelta(hours=1))
    return {**app, "LastUserActivityTimestamp": active, "AppArn": f"arn:app/{app['AppName']}"}


def _spaces(_: dict[str, Any]) -> dict[str, Any]:
    return {
        "Spaces": [
            {
                "DomainId": "d-1",
                "SpaceName": "dana-gpu-space",
                "Status": "InService",
                "OwnershipSettingsSummary": {"OwnerUserProfileName": "dana"},
            }
        ]
    }


RECOMMENDATIONS = {
    "recommendationSummaries": [
        {
            "id": "r1",
            "type": "standard",
            "status": "warning",
            "pillars": ["cost_optimizing"],
            "source": "ta_check",
            "name": "Underutilized Amazon EBS Volumes",
            "resourcesAggregates": {"okCount": 1, "warningCount": 5, "errorCount": 0},
            "pillarSpecificAggregates": {
                "costOptimizing": {
                    "estimatedMonthlySavings": 41.6,
                    "estimatedPercentMonthlySavings": 9.0,
                }
            },
            "lastUpdatedAt": NOW,
            "arn": "arn:aws:trustedadvisor::123456789012:recommendation/r1",
        },
        {
            "id": "r2",
            "type": "standard",
            "status": "warning",
            "pillars": ["cost_optimizing"],
            "source": "ta_check",
            "name": "Low Utilization Amazon EC2 Instances",
            "resourcesAggregates": {"okCount": 4, "warningCount": 3, "errorCount": 0},
            "pillarSpecificAggregates": {
                "costOptimizing": {
                    "estimatedMonthlySavings": 184.32,
                    "estimatedPercentMonthlySavings": 9.0,
                }
            },
            "lastUpdatedAt": NOW,
            "arn": "arn:aws:trustedadvisor::123456789012:recommendation/r2",
        },
        {
            "id": "r3",
            "type": "standard",
            "status": "ok",
            "pillars": ["cost_optimizing"],
            "source": "ta_check",
            "name": "Amazon RDS Idle DB Instances",
            "resourcesAggregates": {"okCount": 2, "warningCount": 0, "errorCount": 0},
            "pillarSpecificAggregates": {
                "costOptimizing": {
                    "estimatedMonthlySavings": 0.0,
                    "estimatedPercentMonthlySavings": 9.0,
                }
            },
            "lastUpdatedAt": NOW,
            "arn": "arn:aws:trustedadvisor::123456789012:recommendation/r3",
        },
    ]
}


def test_idle_studio_apps_and_trusted_advisor_advice(fixed: Any) -> None:
    with (
        answering(
            fixed.aws.sagemaker,
            {
                "ListApps": lambda _: {"Apps": STUDIO_APPS},
                "DescribeApp": _studio,
                "ListSpaces": _spaces,
            },
        ),
        Stubber(fixed.aws.trustedadvisor) as advisor,
    ):
        advisor.add_response(
            "list_recommendations",
            RECOMMENDATIONS,
            {"pillar": "cost_optimizing", "maxResults": 200},
        )
        reply = idle_resources(request("IdleResources"), fixed)
    text = _text(reply)
    assert (
        "Studio JupyterLab app *dana-gpu-lab* in space `dana-gpu-space` (dana) (ml.g4dn.xlarge), "
        "no activity for 4 days" in text
    )
    assert "sam-lab" not in text and "default" not in text and "lee-editor" not in text
    (button,) = [b.accessory for b in reply.blocks if getattr(b, "accessory", None)]
    assert json.loads(button.value) == {
        "i": "DeleteStudioApp",
        "s": {"appName": "dana-gpu-lab", "owner": "dana-gpu-space"},
    }
    # the largest savings first; checks that are fine are not listed
    assert text.index("Low Utilization Amazon EC2") < text.index("Underutilized Amazon EBS")
    assert "save about *$184.32*/month" in text and "RDS" not in text


@pytest.mark.parametrize(
    ("code", "message", "words"),
    [
        ("AccessDeniedException", "Access denied due to support level", "support plan"),
        (
            "SubscriptionRequiredException",
            "AWS Premium Support Subscription is required",
            "support plan",
        ),
        (
            "AccessDeniedException",
            "User is not authorized to perform trustedadvisor:List",
            "not allowed",
        ),
    ],
)
def test_trusted_advisor_says_plainly_when_it_cannot_be_used(
    fixed: Any, code: str, message: str, words: str
) -> None:
    with Stubber(fixed.aws.trustedadvisor) as advisor:
        advisor.add_client_error("list_recommendations", code, message, 403)
        reply = idle_resources(request("IdleResources"), fixed)
    assert reply.summary == "Nothing idle"
    assert words in _text(reply) and "Trusted Advisor" in _text(reply)


def test_stop_a_notebook_left_running(deps: Any) -> None:
    from intents.costs import run_stop_notebook, stop_notebook
    from intents.errors import InvalidInput, NotFound
    from tests.conftest import approved

    sm = deps.aws.sagemaker
    sm.create_notebook_instance(
        NotebookInstanceName="old-notebook",
        InstanceType="ml.t3.xlarge",
        RoleArn=ROLE_ARN,
        Tags=[{"Key": "env", "Value": "dev"}],
    )
    proposal = stop_notebook(request("StopNotebook", notebookName="old-notebook"), deps)
    assert proposal.title == "Stop notebook old-notebook" and proposal.risk.tags == {"env": "dev"}
    assert "$0.20/h" in str(dict(proposal.details)["Saves"])
    done = run_stop_notebook(approved(proposal, "StopNotebook"), deps)
    assert "Stopping notebook instance *old-notebook*" in str(done.blocks[0].text)
    status = sm.describe_notebook_instance(NotebookInstanceName="old-notebook")
    assert status["NotebookInstanceStatus"] in ("Stopping", "Stopped")
    with pytest.raises(InvalidInput, match="nothing to stop"):
        stop_notebook(request("StopNotebook", notebookName="old-notebook"), deps)
    with pytest.raises(NotFound, match="no notebook instance named nosuch"):
        stop_notebook(request("StopNotebook", notebookName="nosuch"), deps)


def test_delete_an_idle_studio_app(fixed: Any) -> None:
    from intents.costs import delete_studio_app, run_delete_studio_app
    from intents.errors import InvalidInput, NotFound
    from tests.conftest import approved

    deleted: list[dict[str, Any]] = []
    twice = [*STUDIO_APPS, {**STUDIO_APPS[0], "SpaceName": "other-space"}]
    with answering(
        fixed.aws.sagemaker,
        {
            "ListApps": lambda _: {"Apps": twice},
            "DeleteApp": lambda params: deleted.append(params) or {},
        },
    ):
        proposal = delete_studio_app(
            request("DeleteStudioApp", appName="dana-gpu-lab", owner="dana-gpu-space"), fixed
        )
        assert proposal.title == "Delete Studio app dana-gpu-lab"
        assert dict(proposal.details)["Space"] == "dana-gpu-space"
        run_delete_studio_app(approved(proposal, "DeleteStudioApp"), fixed)
        with pytest.raises(InvalidInput, match="2 running Studio apps are named dana-gpu-lab"):
            delete_studio_app(request("DeleteStudioApp", appName="dana-gpu-lab"), fixed)
        with pytest.raises(NotFound, match="no running Studio app named nosuch"):
            delete_studio_app(request("DeleteStudioApp", appName="nosuch"), fixed)
    assert deleted == [
        {
            "DomainId": "d-1",
            "AppType": "JupyterLab",
            "AppName": "dana-gpu-lab",
            "SpaceName": "dana-gpu-space",
        }
    ]


def test_an_account_without_cost_data_gets_sentences_not_a_broken_chart(fixed: Any) -> None:
    ce = fixed.aws.client("ce")
    with Stubber(ce) as stub:
        stub.add_response("get_cost_and_usage", _days(date(2026, 10, 1), date(2026, 11, 28), {}))
        stub.add_client_error(
            "get_cost_forecast",
            "DataUnavailableException",
            "Insufficient amount of historical data",
        )
        stub.add_response("get_anomalies", NO_ANOMALIES)
        reply = cost_report(request("CostReport"), fixed)
    text = _text(reply)
    assert reply.summary == "Costs this month: $0.00" and reply.files == ()
    assert "Cost Explorer has no cost data for these dates" in text
    assert "No forecast: Cost Explorer has too little history" in text
    assert "No chart: there are no daily costs to draw" in text


def test_three_hundred_idle_studio_apps_the_dearest_first_all_in_the_csv(fixed: Any) -> None:
    types = ["ml.t3.medium", "ml.g4dn.xlarge", "ml.m5.large"]
    apps = [
        {
            "DomainId": "d-1",
            "UserProfileName": f"user-{i:03d}",
            "AppType": "JupyterLab",
            "AppName": f"lab-{i:03d}",
            "Status": "InService",
            "CreationTime": NOW - timedelta(days=10),
            "ResourceSpec": {"InstanceType": types[i % 3]},
        }
        for i in range(300)
    ]
    described: list[str] = []

    def describe(params: dict[str, Any]) -> dict[str, Any]:
        described.append(params["AppName"])
        app = next(a for a in apps if a["AppName"] == params["AppName"])
        return {**app, "LastUserActivityTimestamp": NOW - timedelta(days=3)}

    with answering(
        fixed.aws.sagemaker,
        {"ListApps": lambda _: {"Apps": apps}, "DescribeApp": describe},
    ):
        reply = idle_resources(request("IdleResources"), fixed)
    text = _text(reply)
    assert "*Idle SageMaker Studio apps* (300)" in text
    assert "…and 295 more idle Studio apps (the whole list is in idle-resources.csv)" in text
    shown = [b.accessory.label for b in reply.blocks if getattr(b, "accessory", None)]
    assert len(shown) == 5
    # the GPU apps (every third, from lab-001) cost most: they come first
    assert all(int(label.rsplit("-", 1)[1]) % 3 == 1 for label in shown)
    (listed,) = reply.files
    rows = listed.content.decode().splitlines()[1:]
    assert len(rows) == 300 and len(described) == 300
    monthly = [float(r.split(",")[4]) for r in rows]
    assert monthly == sorted(monthly, reverse=True)
