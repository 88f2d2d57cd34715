"""Report schedules as EventBridge Scheduler schedules: names, expressions, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from bot.aws_lambda.schedules import EventBridgeTimetable, expression, schedule_name
from bot.timetable import Planned, Timetabled, schedule_id
from intents.clients import AwsClients
from intents.errors import AwsProblem, Refused
from intents.schedules import next_run

ROLE = "arn:aws:iam::123456789012:role/chatops-scheduler"
TARGET = "arn:aws:lambda:us-east-1:123456789012:function:chatops-bot"


@pytest.fixture
def aws() -> Iterator[AwsClients]:
    with mock_aws():
        boto3.client("scheduler", region_name="us-east-1").create_schedule_group(Name="reports")
        yield AwsClients("us-east-1")


def timetable(aws: AwsClients, **overrides: Any) -> EventBridgeTimetable:
    values: dict[str, Any] = {"group": "reports", "role_arn": ROLE, "target": lambda: TARGET}
    values.update(overrides)
    return EventBridgeTimetable(aws, **values)


def test_names_are_valid_stable_and_one_per_schedule() -> None:
    ids = ["C0MLOPS:cost", "C0MLOPS-cost", "D0ALICE:budget", "C" * 200 + ":idle"]
    names = [schedule_name(i) for i in ids]
    assert all(re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", n) for n in names)
    assert len(set(names)) == len(ids) and schedule_name(ids[0]) == names[0]


@pytest.mark.parametrize(
    ("frequency", "time", "day", "cron"),
    [
        ("hourly", "00:15", None, "cron(15 * * * ? *)"),
        ("daily", "09:30", None, "cron(30 9 * * ? *)"),
        ("weekly", "17:00", "friday", "cron(0 17 ? * FRI *)"),
    ],
)
def test_the_expression_fires_when_the_in_process_scheduler_would(
    frequency: str, time: str, day: str | None, cron: str
) -> None:
    assert expression(frequency, time, day) == cron
    # the in-process scheduler's next fires, read back in EventBridge's fields
    minute, hour, _, _, weekday, _ = cron.removeprefix("cron(").removesuffix(")").split()
    now = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # a Monday
    for _ in range(3):
        fire = next_run(frequency, time, day, now)
        assert fire is not None and fire.minute == int(minute)
        assert hour == "*" or fire.hour == int(hour)
        assert weekday == "?" or fire.strftime("%a").upper() == weekday
        now = fire + timedelta(minutes=1)


def test_creating_one_that_exists_updates_it_and_deleting_one_that_is_gone_is_fine(
    aws: AwsClients,
) -> None:
    table = timetable(aws)
    table.put(Planned("C1:cost", "daily", "09:00", None))
    table.put(Planned("C1:cost", "hourly", "00:05", None))
    [found] = aws.scheduler.list_schedules(GroupName="reports")["Schedules"]
    got = aws.scheduler.get_schedule(GroupName="reports", Name=found["Name"])
    assert got["ScheduleExpression"] == "cron(5 * * * ? *)"
    table.remove(["C1:cost", "C1:cost", "C9:never-made"])
    assert aws.scheduler.list_schedules(GroupName="reports")["Schedules"] == []


def test_reconcile_pages_through_the_group(aws: AwsClients) -> None:
    table = timetable(aws)
    for i in range(120):  # moto pages list_schedules 50 at a time, like AWS
        table.put(Planned(f"C{i}:cost", "daily", "09:00", None))
    assert table.reconcile([]).deleted == 120
    assert aws.scheduler.list_schedules(GroupName="reports")["Schedules"] == []


def test_aws_refusing_is_a_short_message_and_the_state_is_left_as_it_was(
    aws: AwsClients, state: Any
) -> None:
    table = timetable(aws)
    stub = Stubber(aws.scheduler)
    stub.add_client_error(
        "create_schedule",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:sts::123456789012:assumed-role/bot is not authorized "
        "to perform: scheduler:CreateSchedule on resource: arn:aws:scheduler:... secret-detail",
        http_status_code=403,
    )
    stub.add_client_error(
        "delete_schedule",
        service_error_code="ValidationException",
        service_message="Something about the request.",
        http_status_code=400,
    )
    handler_state = Timetabled(state, table)
    with stub, pytest.raises(AwsProblem) as refused:
        handler_state.put_schedule(
            team="T1",
            channel="C1",
            report="cost",
            frequency="daily",
            time_of_day="09:00",
            day=None,
            created_by="U1",
        )
    assert "not allowed to call CreateSchedule" in refused.value.message
    assert "secret-detail" not in refused.value.message + refused.value.hint
    assert state.schedules() == []  # nothing recorded that would never fire
    with stub, pytest.raises(AwsProblem) as refused:
        handler_state.delete_schedules([schedule_id("C1", "cost")])
    assert refused.value.message.startswith("EventBridge Scheduler would not delete the schedule")


def test_without_its_settings_scheduling_is_refused_naming_them(aws: AwsClients) -> None:
    table = timetable(aws, group=None, target=lambda: None)
    with pytest.raises(Refused) as refused:
        table.put(Planned("C1:cost", "daily", "09:00", None))
    assert "CHATOPS_SCHEDULER_GROUP" in refused.value.message
    assert "CHATOPS_SCHEDULER_TARGET_ARN" in refused.value.message
    assert "CHATOPS_SCHEDULER_ROLE_ARN" not in refused.value.message
