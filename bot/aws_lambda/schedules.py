"""Report schedules as EventBridge Scheduler schedules, on AWS Lambda (a ``Timetable``).

One schedule per report schedule, in the bot's own schedule group: a UTC cron expression
made from the same fields as the in-process scheduler's, and a target that invokes this
function with ``{"chatops": "schedule", "schedule_id": ..., "scheduled_time":
"<aws.scheduler.scheduled-time>"}`` (EventBridge Scheduler fills in the fire's time, so every
delivery of one fire claims the same fire). Creating one that exists updates it; deleting
one that is gone is fine; the sweep reconciles the group with the state.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from bot.timetable import Planned, Reconciled
from intents.aws import error_code, summarize, translate
from intents.errors import AwsProblem, Refused, UserError
from intents.schedules import cron
from intents.state import Schedule

if TYPE_CHECKING:
    from types_boto3_scheduler import EventBridgeSchedulerClient
    from types_boto3_scheduler.type_defs import CreateScheduleInputTypeDef

    from intents.clients import AwsClients

log = logging.getLogger(__name__)
PREFIX = "chatops-"


def schedule_name(schedule_id: str) -> str:
    """EventBridge Scheduler's name for a schedule ([0-9A-Za-z-_.], at most 64): readable,
    stable and one per schedule id (a hash keeps two ids that clean up alike apart)."""
    readable = re.sub(r"[^0-9A-Za-z_.-]", "-", schedule_id)[:44]
    digest = hashlib.sha256(schedule_id.encode()).hexdigest()[:10]
    return f"{PREFIX}{readable}-{digest}"


def expression(frequency: str, time_of_day: str, day: str | None) -> str:
    """EventBridge's ``cron(minutes hours day-of-month month day-of-week year)`` for the
    schedule: the fields of ``intents.schedules.cron``, the in-process scheduler's."""
    fields = cron(frequency, time_of_day, day)
    minute, hour = fields["minute"], fields.get("hour", "*")
    weekday = fields.get("day_of_week")
    if weekday is None:
        return f"cron({minute} {hour} * * ? *)"
    return f"cron({minute} {hour} ? * {str(weekday).upper()} *)"


def fire_input(schedule_id: str) -> str:
    return json.dumps(
        {
            "chatops": "schedule",
            "schedule_id": schedule_id,
            "scheduled_time": "<aws.scheduler.scheduled-time>",
        }
    )


class EventBridgeTimetable:
    """Report schedules in one EventBridge Scheduler group, invoking *target* (a function
    ARN, asked for when needed: the settings' or the running function's own)."""

    def __init__(
        self,
        aws: AwsClients,
        *,
        group: str | None,
        role_arn: str | None,
        target: Callable[[], str | None],
    ) -> None:
        self.aws, self.group, self.role_arn, self._target = aws, group, role_arn, target

    @property
    def client(self) -> EventBridgeSchedulerClient:
        return self.aws.scheduler

    def _configured(self) -> tuple[str, str, str]:
        missing = [
            name
            for name, value in (
                ("CHATOPS_SCHEDULER_GROUP", self.group),
                ("CHATOPS_SCHEDULER_ROLE_ARN", self.role_arn),
                ("CHATOPS_SCHEDULER_TARGET_ARN", self._target()),
            )
            if not value
        ]
        if missing:
            raise Refused(
                "Scheduled reports on AWS Lambda need a setting the bot doesn't have yet: "
                + ", ".join(missing)
                + ".",
                hint="Ask whoever runs the bot to set it (deploy/template.yaml does).",
            )
        target = self._target()
        assert self.group and self.role_arn and target
        return self.group, self.role_arn, target

    def _request(self, schedule: Planned | Schedule) -> CreateScheduleInputTypeDef:
        group, role, target = self._configured()
        return {
            "Name": schedule_name(schedule.id),
            "GroupName": group,
            "ScheduleExpression": expression(schedule.frequency, schedule.time, schedule.day),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": target,
                "RoleArn": role,
                "Input": fire_input(schedule.id),
                # Retry a fire the function could not take (throttled, timed out) for an
                # hour, not a day: a report an hour late is still worth posting, a day late
                # it is noise.
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 5},
            },
            "State": "ENABLED",
            "Description": f"chatops report schedule {schedule.id}"[:512],
        }

    # ------------------------------------------------------------------ Timetable

    def put(self, schedule: Planned) -> None:
        request = self._request(schedule)
        try:
            try:
                self.client.create_schedule(**request)
            except ClientError as exc:
                if error_code(exc) != "ConflictException":
                    raise
                self.client.update_schedule(**request)  # it exists: make it this one
        except (ClientError, BotoCoreError) as exc:
            raise _problem(exc, "create") from None
        log.info("EventBridge schedule %s is %s", request["Name"], request["ScheduleExpression"])

    def remove(self, ids: Sequence[str]) -> None:
        group, _, _ = self._configured()
        for schedule_id in ids:
            self._delete(group, schedule_name(schedule_id))

    def _delete(self, group: str, name: str) -> None:
        try:
            self.client.delete_schedule(Name=name, GroupName=group)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise _problem(exc, "delete") from None
        except BotoCoreError as exc:
            raise _problem(exc, "delete") from None

    def reconcile(self, schedules: Sequence[Schedule]) -> Reconciled:
        """Create what the state has and the group lacks, update what differs, delete what
        the state no longer has (the group is the bot's own)."""
        group, _, _ = self._configured()
        wanted = {schedule_name(s.id): s for s in schedules}
        pages = self.client.get_paginator("list_schedules").paginate(GroupName=group)
        existing = {s["Name"] for page in pages for s in page.get("Schedules", []) if "Name" in s}
        created = updated = deleted = 0
        for name in sorted(existing - set(wanted)):
            self._delete(group, name)
            deleted += 1
        for name, schedule in sorted(wanted.items()):
            request = self._request(schedule)
            if name not in existing:
                self.client.create_schedule(**request)
                created += 1
                continue
            found = self.client.get_schedule(Name=name, GroupName=group)
            target = found.get("Target", {})
            if (
                found.get("ScheduleExpression") != request["ScheduleExpression"]
                or found.get("ScheduleExpressionTimezone") != "UTC"
                or found.get("State") != "ENABLED"
                or target.get("Arn") != request["Target"]["Arn"]
                or target.get("RoleArn") != request["Target"]["RoleArn"]
                or not _same_input(target.get("Input"), request["Target"]["Input"])
            ):
                self.client.update_schedule(**request)
                updated += 1
        return Reconciled(created, updated, deleted)


def _same_input(found: str | None, wanted: str) -> bool:
    try:
        return bool(found) and json.loads(found or "") == json.loads(wanted)
    except ValueError:
        return False


def _problem(exc: ClientError | BotoCoreError, verb: str) -> UserError:
    """A short, safe message about EventBridge Scheduler refusing (the details go to the log)."""
    known = translate(exc, action=f"EventBridge Scheduler: {verb} a schedule")
    if known is not None:
        return known
    if isinstance(exc, ClientError):
        return AwsProblem(
            f"EventBridge Scheduler would not {verb} the schedule ({summarize(exc)})."
        )
    log.warning("EventBridge Scheduler could not be reached: %s", type(exc).__name__)
    return AwsProblem(
        f"EventBridge Scheduler could not {verb} the schedule right now.",
        hint="Try again in a minute.",
    )
