"""The assistant as an AWS Lambda function: the same app as ``chatops run`` (``bot.app.create``)
with what a function that may be frozen between invocations needs instead of threads.

- Slack's requests go through Bolt's Lambda adapter (``bot.aws_lambda.http``); the work
  happens in lazy listeners, each an asynchronous invocation of this function.
- A SageMaker state change (EventBridge) makes the follower check that job now, if the bot
  follows it: the follower's lease and keyed post, so each status is posted once however
  many times the event comes.
- EventBridge Scheduler fires a report schedule: the report is posted once per scheduled
  time (the fire's claim, keyed by the time EventBridge Scheduler passes).
- A periodic sweep settles what an invocation that died left half-done (cards, approved
  plans, status posts), checks followed jobs that are due (events can be missed) and
  reconciles the schedule group with the state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.app import ChatOps, build_deps, create, open_state_for
from bot.aws_lambda.events import SageMakerChange
from bot.aws_lambda.http import SlackOnLambda
from bot.aws_lambda.schedules import EventBridgeTimetable
from bot.recovery import recover
from bot.settings import Settings, SettingsError
from intents.clients import AwsClients

log = logging.getLogger(__name__)


@dataclass
class Invocation:
    """What the function knows about itself from the current invocation's context."""

    function_arn: str | None = None


class LambdaBot:
    def __init__(self, chatops: ChatOps, slack: SlackOnLambda, invocation: Invocation) -> None:
        self.chatops, self.slack, self.invocation = chatops, slack, invocation

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        aws: AwsClients | None = None,
        client: WebClient | None = None,
    ) -> LambdaBot:
        """The bot for a function: state in DynamoDB (invocations run on many machines),
        report schedules in EventBridge Scheduler."""
        if not settings.dynamodb_table:
            raise SettingsError(
                [
                    "CHATOPS_DYNAMODB_TABLE is not set: on AWS Lambda the state must be in "
                    "DynamoDB (each invocation may run on another machine)"
                ]
            )
        aws = aws or AwsClients(settings.aws_region, endpoint_url=settings.aws_endpoint_url)
        invocation = Invocation()
        timetable = EventBridgeTimetable(
            aws,
            group=settings.scheduler_group,
            role_arn=settings.scheduler_role_arn,
            target=lambda: settings.scheduler_target_arn or invocation.function_arn,
        )
        state = open_state_for(settings, aws)
        chatops = create(
            settings,
            deps=build_deps(settings, state, aws=aws),
            state=state,
            client=client,
            start_follower=False,
            lazy_listeners=True,
            settle=False,
            timetable=timetable,
        )
        return cls(chatops, SlackOnLambda(chatops.app, aws.lambda_), invocation)

    def seen(self, context: Any) -> None:
        arn = getattr(context, "invoked_function_arn", None)
        if isinstance(arn, str) and arn:
            self.invocation.function_arn = arn

    # ------------------------------------------------------------------ what it handles

    def http(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self.slack.handle(event, context)

    def sagemaker(self, change: SageMakerChange) -> dict[str, Any]:
        """Check the follows the change concerns; a job the bot does not follow is none of
        its business."""
        checked = 0
        for kind, name in change.follows:
            follow = self.chatops.state.followed(kind, name)
            if follow is None:
                log.debug("%s: %s %s is not followed", change.detail_type, kind, name)
                continue
            log.info("%s: checking %s %s (%s)", change.detail_type, kind, name, change.status)
            checked += self.chatops.follower.check(follow)
        return {"checked": checked}

    def schedule(self, schedule_id: str, scheduled: datetime | None) -> dict[str, Any]:
        if scheduled is None:
            log.warning("schedule %s fired without its scheduled time", schedule_id)
        posted = self.chatops.scheduler.post(schedule_id, scheduled=scheduled)
        return {"posted": posted is not None}

    def sweep(self) -> dict[str, Any]:
        """Each step on its own: one failing (logged with its traceback) does not stop the
        others, and the next sweep tries it again. Returns what each did (JSON, as Lambda
        returns it)."""
        chatops, timetable = self.chatops, self.chatops.timetable
        done: dict[str, Any] = {}
        steps: dict[str, Callable[[], object]] = {
            "recovered": lambda: asdict(
                recover(chatops.gate, chatops.state, chatops.gate.outbox, chatops.follower)
            ),
            "checked": chatops.follower.poll_once,
            "schedules": lambda: (
                asdict(timetable.reconcile(chatops.state.schedules())) if timetable else None
            ),
        }
        for name, step in steps.items():
            try:
                done[name] = step()
            except Exception:
                log.exception("sweep: %s failed", name)
                done[name] = "failed"
        return done
