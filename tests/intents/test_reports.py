"""Scheduled reports: proposals, the state file, and the scheduler posting the same reply as chat."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from intents.base import Approved
from intents.errors import InvalidInput
from intents.reports import (
    cancel_schedule,
    list_schedules,
    run_cancel_schedule,
    run_schedule_report,
    schedule_report,
)
from intents.schedules import cron, next_run
from tests.conftest import request

FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed(deps: Any) -> Any:
    return dataclasses.replace(deps, clock=lambda: FRIDAY_NOON.timestamp())


def _approve(proposal: Any, intent: str) -> Approved:
    return Approved(
        plan_id="p",
        intent=intent,
        params=proposal.params,
        requester="U0ALICE",
        approver="U0ALICE",
        channel="C0MLOPS",
        thread_ts="1.0",
        request_id="r",
        origin_key="k",
    )


def test_cron_fields_and_next_runs() -> None:
    assert cron("weekly", "09:00", "monday") == {"day_of_week": "mon", "hour": 9, "minute": 0}
    assert next_run("weekly", "09:00", "monday", FRIDAY_NOON) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )
    assert next_run("daily", "08:30", None, FRIDAY_NOON) == datetime(
        2026, 11, 28, 8, 30, tzinfo=UTC
    )
    assert next_run("hourly", "00:15", None, FRIDAY_NOON) == datetime(
        2026, 11, 27, 12, 15, tzinfo=UTC
    )


def test_schedule_list_replace_cancel(fixed: Any) -> None:
    proposal = schedule_report(
        request("ScheduleReport", report="cost", frequency="weekly", day="monday", time="09:00"),
        fixed,
    )
    assert "every Monday at 09:00 UTC" in str(proposal.summary)
    assert dict(proposal.details)["First post"] == "Mon Nov 30 09:00 UTC"
    run_schedule_report(_approve(proposal, "ScheduleReport"), fixed)
    again = schedule_report(request("ScheduleReport", report="cost", frequency="daily"), fixed)
    assert dict(again.details)["Replaces"] == "every Monday at 09:00 UTC"
    run_schedule_report(_approve(again, "ScheduleReport"), fixed)
    listing = list_schedules(request("ListSchedules"), fixed)
    assert "*cost*: every day at 09:00 UTC · next Sat Nov 28 09:00 UTC" in str(
        listing.blocks[1].text
    )
    assert len(fixed.state.schedules("C0MLOPS")) == 1
    cancel = cancel_schedule(request("CancelSchedule", report="cost"), fixed)
    run_cancel_schedule(_approve(cancel, "CancelSchedule"), fixed)
    assert fixed.state.schedules("C0MLOPS") == []
    with pytest.raises(InvalidInput, match="No cost report is scheduled"):
        cancel_schedule(request("CancelSchedule", report="cost"), fixed)


@pytest.mark.parametrize(
    "slots,words",
    [
        ({"report": "weather", "frequency": "daily"}, "no weather report"),
        ({"report": "cost", "frequency": "monthly"}, "hourly, daily or weekly"),
        ({"report": "cost", "frequency": "daily", "time": "25:00"}, "not a time"),
    ],
)
def test_bad_schedules(fixed: Any, slots: dict[str, str], words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        schedule_report(request("ScheduleReport", **slots), fixed)


@pytest.mark.parametrize(
    "text", ["schedule cost every tuesday at 25:00", "post the cost report daily at 9:75"]
)
def test_a_time_that_cannot_be_read_is_refused_not_replaced(fixed: Any, text: str) -> None:
    # Given a message whose time the slot reader did not take
    slots = {"report": "cost", "frequency": "weekly" if "tuesday" in text else "daily"}
    with pytest.raises(InvalidInput, match="is not a time of day I can read") as refused:
        schedule_report(request("ScheduleReport", text, **slots), fixed)
    assert "00:00 to 23:59" in (refused.value.hint or "")
    # and without a time at all, the default stands
    assert "09:00" in str(
        schedule_report(request("ScheduleReport", "daily", **slots), fixed).summary
    )
