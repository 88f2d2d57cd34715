"""Full stack on AWS Lambda: the handler (``bot.aws_lambda.handler``'s ``Entry``) gets the
events Lambda would hand it (recorded shapes in tests/events/aws/), against moto (DynamoDB
state, SageMaker, EventBridge Scheduler) and the Slack Web API stand-in.

Slack's requests are signed as Slack signs them. Bolt's adapter acks within the response and
invokes the function again, asynchronously, for the lazy listener: a Stubber on the
function's Lambda client records that invocation (moto cannot run a function), and the test
then hands its payload to the handler, as Lambda would.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws
from slack_sdk import WebClient

from bot.aws_lambda import Entry
from bot.aws_lambda.runtime import LambdaBot
from bot.sandbox.slack_api import Record, SlackStandIn
from bot.state.dynamodb import create_table
from intents.clients import AwsClients
from tests.conftest import EVENTS, blocks_text, make_settings

TOKEN = "xoxb-lambda-test"
SECRET = "test-signing-secret"
FUNCTION = "chatops-bot"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/chatops-scheduler"
GROUP = "chatops-reports"
DATA = "s3://acme-ml-data/churn/train.csv"


def aws_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / "aws" / f"{name}.json").read_text())
    return data


@dataclass
class Context:
    """The parts of Lambda's context object the handler and Bolt's adapter read."""

    function_name: str = FUNCTION
    invoked_function_arn: str = FUNCTION_ARN
    aws_request_id: str = "5b1b4c5a-0000-4000-8000-000000000001"
    memory_limit_in_mb: int = 1024

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


CONTEXT = Context()


class SelfInvocations:
    """The function's invocations of itself: each Invoke's parameters, answered as Lambda
    answers an asynchronous invocation (202, empty payload)."""

    def __init__(self, client: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self.stubber = Stubber(client)
        self.stubber.activate()
        # Before the Stubber looks for a response: each call records itself and adds one
        client.meta.events.register("provide-client-params.lambda.Invoke", self._record)

    def _record(self, params: dict[str, Any], **_: Any) -> None:
        self.calls.append(dict(params))
        self.stubber.add_response(
            "invoke", {"StatusCode": 202, "Payload": StreamingBody(io.BytesIO(b""), 0)}
        )

    def take(self) -> list[dict[str, Any]]:
        calls, self.calls = self.calls, []
        return calls


def sign(body: str, timestamp: str | None = None, secret: str = SECRET) -> tuple[str, str]:
    stamp = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return stamp, f"v0={digest.hexdigest()}"


def http_event(
    body: str,
    content_type: str,
    *,
    shape: str = "apigateway_http_v2",
    encoded: bool = False,
    retry: int | None = None,
    secret: str = SECRET,
) -> dict[str, Any]:
    """A Slack request as API Gateway (or a function URL) hands it to the function."""
    event = aws_event(shape)
    stamp, signature = sign(body, secret=secret)
    rest = "httpMethod" in event  # REST API (1.0): headers as sent, multi-value copies
    names = {
        "content-type": "Content-Type" if rest else "content-type",
        "x-slack-request-timestamp": "X-Slack-Request-Timestamp"
        if rest
        else "x-slack-request-timestamp",
        "x-slack-signature": "X-Slack-Signature" if rest else "x-slack-signature",
        "x-slack-retry-num": "X-Slack-Retry-Num" if rest else "x-slack-retry-num",
        "x-slack-retry-reason": "X-Slack-Retry-Reason" if rest else "x-slack-retry-reason",
    }
    values = {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature,
    }
    if retry is not None:
        values |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    for key, value in values.items():
        event["headers"][names[key]] = value
        if rest:
            event["multiValueHeaders"][names[key]] = [value]
    event["body"] = base64.b64encode(body.encode()).decode() if encoded else body
    event["isBase64Encoded"] = encoded
    return event


def command_body(text: str, trigger: str, user: str = "U0ALICE") -> str:
    fields = json.loads((EVENTS / "slash_command.json").read_text())
    fields |= {"text": text, "trigger_id": trigger, "user_id": user, "team_id": "T0TEST"}
    return urlencode(fields)


def message_body(text: str, ts: str, user: str = "U0ALICE") -> str:
    event = {
        "type": "message",
        "channel": "C0MLOPS",
        "user": user,
        "text": text,
        "ts": ts,
        "channel_type": "channel",
        "team": "T0TEST",
    }
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEST",
            "api_app_id": "A1",
            "event": event,
            "event_id": f"Ev{ts.replace('.', '')}",
            "event_time": int(float(ts)),
        }
    )


def click_body(plan_id: str, user: str = "U0ALICE", *, stamp: str = "1.0") -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T0TEST"},
        "team": {"id": "T0TEST"},
        "channel": {"id": "C0MLOPS"},
        "container": {"type": "message", "message_ts": "1.0"},
        "trigger_id": f"t{stamp}",
        "actions": [
            {"action_id": "plan_approve", "value": plan_id, "type": "button", "action_ts": stamp}
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


@dataclass
class World:
    handler: Entry
    slack: SlackStandIn
    invocations: SelfInvocations
    aws: AwsClients
    built: list[LambdaBot] = field(default_factory=list)

    @property
    def bot(self) -> LambdaBot:
        return self.handler.bot()

    def posts(self, start: int) -> list[Record]:
        return [r for r in self.slack.records[start:] if r.kind in ("post", "update", "ephemeral")]

    def lazily(self) -> list[Record]:
        """Run the invocations the function made of itself, as Lambda would; what they posted."""
        start = len(self.slack.records)
        for call in self.invocations.take():
            assert call["FunctionName"] == FUNCTION_ARN and call["InvocationType"] == "Event"
            assert self.handler(json.loads(call["Payload"]), CONTEXT) is not None
        return self.posts(start)

    def slack_request(self, body: str, content_type: str, **how: Any) -> list[Record]:
        response = self.handler(http_event(body, content_type, **how), CONTEXT)
        assert response is not None and response["statusCode"] == 200, response
        return self.lazily()

    def approve(self, card: Record, stamp: str) -> list[Record]:
        plan_id = card.buttons()[0]["value"]
        return self.slack_request(
            click_body(plan_id, stamp=stamp), "application/x-www-form-urlencoded", encoded=True
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    slack = SlackStandIn(TOKEN).start()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("acme-ml-data", "acme-ml-artifacts"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="acme-ml-data", Key="churn/train.csv", Body=b"churned,a,b\n0,1,2\n")
        create_table(boto3.client("dynamodb", region_name="us-east-1"), "chatops-state")
        boto3.client("scheduler", region_name="us-east-1").create_schedule_group(Name=GROUP)
        settings = make_settings(
            tmp_path,
            slack_bot_token=TOKEN,
            slack_api_url=slack.url,
            dynamodb_table="chatops-state",
            scheduler_group=GROUP,
            scheduler_role_arn=SCHEDULER_ROLE,
        )
        aws = AwsClients("us-east-1")
        invocations = SelfInvocations(aws.lambda_)
        client = WebClient(token=TOKEN, base_url=slack.url)
        handler = Entry(lambda: LambdaBot.build(settings, aws=aws, client=client))
        yield World(handler, slack, invocations, aws)
        invocations.stubber.deactivate()
    slack.stop()


def schedules_in_group() -> list[dict[str, Any]]:
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    found = scheduler.list_schedules(GroupName=GROUP)["Schedules"]
    return [scheduler.get_schedule(GroupName=GROUP, Name=s["Name"]) for s in found]


# --------------------------------------------------------------------------- Slack over HTTP


@pytest.mark.parametrize(
    ("shape", "encoded"),
    [("apigateway_http_v2", True), ("apigateway_rest_v1", False), ("lambda_function_url", True)],
)
def test_a_slash_command_is_acked_in_the_response_and_answered_by_the_lazy_invocation(
    world: World, shape: str, encoded: bool
) -> None:
    body = command_body("help", trigger=f"trig-{shape}")
    response = world.handler(
        http_event(body, "application/x-www-form-urlencoded", shape=shape, encoded=encoded),
        CONTEXT,
    )
    # Acked in the response: 200 and an empty body (Bolt's ack() of a slash command);
    # the work is one asynchronous invocation of this very function, not done yet
    assert response is not None and (response["statusCode"], response["body"]) == (200, "")
    assert world.slack.posts() == []
    [call] = world.invocations.calls
    payload = json.loads(call["Payload"])
    assert payload["headers"]["x-slack-bolt-lazy-only"] == "1"
    assert payload["headers"]["x-slack-bolt-lazy-function-name"] == "on_command"
    posts = world.lazily()
    assert len(posts) == 1 and "What I can do" in posts[0].text
    assert posts[0].channel == "C0MLOPS"


def test_a_bad_signature_is_refused_and_nothing_runs(world: World) -> None:
    event = http_event(
        command_body("help", trigger="trig-forged"),
        "application/x-www-form-urlencoded",
        encoded=True,
        secret="not-the-signing-secret",
    )
    response = world.handler(event, CONTEXT)
    assert response is not None and response["statusCode"] == 401
    assert world.invocations.calls == [] and world.slack.records == []


def test_a_forged_lazy_invocation_is_refused_too(world: World) -> None:
    # Given a request marked as Bolt's own re-invocation but not signed by Slack
    event = http_event(
        command_body("help", trigger="trig-lazy"),
        "application/x-www-form-urlencoded",
        secret="guessed",
    )
    event["headers"] |= {
        "x-slack-bolt-lazy-only": "1",
        "x-slack-bolt-lazy-function-name": "on_command",
    }
    response = world.handler(event, CONTEXT)
    assert response is not None and response["statusCode"] == 401
    assert world.slack.records == []


def test_a_retried_delivery_is_acked_again_and_answered_once(world: World) -> None:
    body = command_body("help", trigger="trig-retried")
    first = world.slack_request(body, "application/x-www-form-urlencoded", encoded=True)
    # Slack did not hear the first ack in time and resends the same request
    again = world.slack_request(body, "application/x-www-form-urlencoded", encoded=True, retry=1)
    assert len(first) == 1 and again == []


def test_slack_checking_the_request_url_gets_its_challenge_back(world: World) -> None:
    body = json.dumps(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = world.handler(http_event(body, "application/json"), CONTEXT)
    assert response is not None and response["statusCode"] == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response["body"]
    assert world.invocations.calls == []


def test_an_unreadable_body_is_a_400_not_a_crash(world: World) -> None:
    event = http_event("x", "application/x-www-form-urlencoded")
    event |= {"body": "%%% not base64 %%%", "isBase64Encoded": True}
    response = world.handler(event, CONTEXT)
    assert response is not None and response["statusCode"] in (400, 401)
    assert world.invocations.calls == [] and world.slack.records == []


# --------------------------------------------------------------------------- a change, end to end


def training_event(job: str) -> dict[str, Any]:
    event = aws_event("sagemaker_training_job_state_change")
    arn = f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{job}"
    event["resources"] = [arn]
    event["detail"] |= {"TrainingJobName": job, "TrainingJobArn": arn}
    return event


def test_a_training_job_is_approved_once_and_its_status_posted_once_in_the_thread(
    world: World,
) -> None:
    posts = world.slack_request(
        message_body(f"train xgboost on {DATA}", "1800000001.000100"),
        "application/json",
        shape="apigateway_rest_v1",
    )
    [card] = [p for p in posts if "Confirm: Start training job" in p.text]
    assert card.thread_ts == "1800000001.000100"

    world.approve(card, stamp="1800000002.000001")
    world.approve(card, stamp="1800000002.000001")  # Slack's retry of the click
    sagemaker = world.aws.sagemaker
    [job] = [j["TrainingJobName"] for j in sagemaker.list_training_jobs()["TrainingJobSummaries"]]

    # SageMaker says the job changed: its status, once, in the card's thread
    start = len(world.slack.records)
    assert world.handler(training_event(job), CONTEXT) == {"checked": 1}
    [status] = world.posts(start)
    assert status.thread_ts == card.thread_ts and "completed" in status.text.lower()
    assert job in status.text

    # The same event again (EventBridge delivers at least once; SageMaker may send several)
    assert world.handler(training_event(job), CONTEXT) == {"checked": 0}
    assert world.posts(start) == [status]

    # A job the bot does not follow is none of its business
    assert world.handler(training_event("someone-elses-job"), CONTEXT) == {"checked": 0}
    assert world.posts(start) == [status]


# --------------------------------------------------------------------------- schedules


def test_schedules_made_in_chat_are_eventbridge_schedules_that_post_once_per_fire(
    world: World,
) -> None:
    form = "application/x-www-form-urlencoded"
    posts = world.slack_request(
        command_body("schedule budget every friday at 17:00", "trig-s1"), form, encoded=True
    )
    [card] = [p for p in posts if p.buttons()]
    world.approve(card, stamp="1800000003.000001")

    [schedule] = schedules_in_group()
    assert schedule["ScheduleExpression"] == "cron(0 17 ? * FRI *)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert (target["Arn"], target["RoleArn"]) == (FUNCTION_ARN, SCHEDULER_ROLE)
    assert json.loads(target["Input"]) == {
        "chatops": "schedule",
        "schedule_id": "C0MLOPS:budget",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    schedule_id = "C0MLOPS:budget"
    assert world.bot.chatops.state.schedule(schedule_id) is not None

    # EventBridge Scheduler fires it (and, as it may, delivers the same fire twice)
    fire = aws_event("scheduler_report_fire") | {"schedule_id": schedule_id}
    start = len(world.slack.records)
    assert world.handler(fire, CONTEXT) == {"posted": True}
    assert world.handler(copy.deepcopy(fire), CONTEXT) == {"posted": False}
    [report] = world.posts(start)
    assert "Scheduled budget report · every Friday at 17:00 UTC" in blocks_text(report)
    # keyed by the scheduled time EventBridge Scheduler passed, not by when it arrived
    assert report.metadata is not None
    assert report.metadata["event_payload"]["key"] == "schedule:C0MLOPS:budget:202503071700"
    # The next fire is another post
    later = fire | {"scheduled_time": "2025-03-14T17:00:00Z"}
    assert world.handler(later, CONTEXT) == {"posted": True}

    # Rescheduled: the same EventBridge schedule, updated
    posts = world.slack_request(
        command_body("schedule budget daily at 08:30", "trig-s2"), form, encoded=True
    )
    world.approve(next(p for p in posts if p.buttons()), stamp="1800000003.000002")
    [schedule] = schedules_in_group()
    assert schedule["ScheduleExpression"] == "cron(30 8 * * ? *)"

    # Unscheduled: gone from EventBridge Scheduler and from the state
    posts = world.slack_request(command_body("unschedule budget", "trig-s3"), form, encoded=True)
    world.approve(next(p for p in posts if p.buttons()), stamp="1800000003.000003")
    assert schedules_in_group() == []
    assert world.bot.chatops.state.schedule(schedule_id) is None
    assert world.handler(fire | {"scheduled_time": "2025-03-21T17:00:00Z"}, CONTEXT) == {
        "posted": False
    }


def test_eventbridge_refusing_a_schedule_is_a_short_reason_with_a_request_id(
    world: World,
) -> None:
    form = "application/x-www-form-urlencoded"
    posts = world.slack_request(
        command_body("schedule cost daily at 09:00", "trig-denied"), form, encoded=True
    )
    card = next(p for p in posts if p.buttons())
    with Stubber(world.aws.scheduler) as scheduler:
        scheduler.add_client_error(
            "create_schedule",
            service_error_code="AccessDeniedException",
            service_message="User: arn:aws:sts::123456789012:assumed-role/chatops-bot/x is not "
            "authorized to perform: scheduler:CreateSchedule",
            http_status_code=403,
        )
        outcome = world.approve(card, stamp="1800000005.000001")
    said = "\n".join(blocks_text(p) for p in outcome)
    assert "not allowed to call CreateSchedule" in said and re.search(
        r"request r-[0-9a-f]{8}", said
    )
    assert "Traceback" not in said and "assumed-role" not in said
    assert world.bot.chatops.state.schedules() == [] and schedules_in_group() == []


def test_the_sweep_reconciles_the_group_with_the_state(world: World) -> None:
    bot = world.bot
    bot.seen(CONTEXT)
    state = bot.chatops.state
    kept = state.put_schedule(
        team="T0TEST",
        channel="C0MLOPS",
        report="cost",
        frequency="daily",
        time_of_day="09:00",
        day=None,
        created_by="U0ALICE",
    )
    # Given an orphan schedule (its state row is gone) and one that drifted
    from bot.aws_lambda.schedules import schedule_name
    from bot.timetable import Planned

    timetable = bot.chatops.timetable
    assert timetable is not None
    timetable.put(Planned("C0GONE:idle", "hourly", "00:15", None))
    timetable.put(Planned(kept.id, "hourly", "00:05", None))
    assert len(schedules_in_group()) == 2

    result = world.handler({"chatops": "sweep"}, CONTEXT)
    assert result is not None
    assert result["schedules"] == {"created": 0, "updated": 1, "deleted": 1}
    json.dumps(result)  # what Lambda returns must be JSON
    [schedule] = schedules_in_group()
    assert schedule["Name"] == schedule_name(kept.id)
    assert schedule["ScheduleExpression"] == "cron(0 9 * * ? *)"
    # Nothing left to do: a second sweep changes nothing
    again = world.handler({"chatops": "sweep"}, CONTEXT)
    assert again is not None and again["schedules"] == {"created": 0, "updated": 0, "deleted": 0}


def test_the_sweep_posts_a_followed_jobs_change_when_the_event_was_missed(world: World) -> None:
    posts = world.slack_request(
        message_body(f"train xgboost on {DATA}", "1800000004.000100"), "application/json"
    )
    card = next(p for p in posts if "Confirm: Start training job" in p.text)
    world.approve(card, stamp="1800000004.000002")
    start = len(world.slack.records)
    result = world.handler({"chatops": "sweep"}, CONTEXT)
    assert result is not None and result["checked"] == 1
    assert result["recovered"] == {"cards": 0, "plans": 0, "posts": 0, "requests": 0}
    [status] = world.posts(start)
    assert status.thread_ts == card.thread_ts and "completed" in status.text.lower()


# --------------------------------------------------------------------------- none of ours


NOT_OURS: dict[str, Any] = {
    "empty": {},
    "a list": [],
    "text": "hello",
    "nothing": None,
    "S3 object created": aws_event("s3_object_created"),
    "someone else's schedule": aws_event("scheduler_default_event"),
    "a SageMaker model change": aws_event("sagemaker_training_job_state_change")
    | {"detail-type": "SageMaker Model State Change"},
    "a SageMaker event without its detail": {
        k: v for k, v in aws_event("sagemaker_training_job_state_change").items() if k != "detail"
    },
    "a training event without a job name": aws_event("sagemaker_training_job_state_change")
    | {"detail": {"TrainingJobStatus": "Completed"}},
    "an HTTP event without a method": aws_event("apigateway_http_v2") | {"requestContext": {}},
    "an HTTP event whose context is text": aws_event("apigateway_http_v2")
    | {"requestContext": "x"},
    "an HTTP event whose body is a number": aws_event("apigateway_http_v2") | {"body": 7},
    "a schedule without an id": {"chatops": "schedule"},
    "ours, with a token in it": {"chatops": "nonsense", "token": "xoxb-1234-secret-value"},
}


@pytest.mark.parametrize("name", sorted(NOT_OURS))
def test_events_that_are_none_of_ours_are_logged_and_ignored(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The bot is not even built for them
    handler = Entry(lambda: pytest.fail("built the bot for an event that is not its business"))
    with caplog.at_level(logging.DEBUG):
        assert handler(copy.deepcopy(NOT_OURS[name]), CONTEXT) is None
    assert "ignored" in caplog.text
    assert "secret-value" not in caplog.text and "xoxb-" not in caplog.text


def test_endpoint_and_autopilot_follows_are_checked_on_their_events(world: World) -> None:
    # Given an endpoint and an Autopilot job the bot follows, neither of which moto has
    state = world.bot.chatops.state
    for kind, name in [("endpoint", "MyEndpoint"), ("autopilot", "churn-autopilot")]:
        state.follow(kind, name, channel="C0MLOPS", thread_ts="1.0", request_id="r", interval=5)
    endpoint = aws_event("sagemaker_endpoint_state_change")
    start = len(world.slack.records)
    assert world.handler(endpoint, CONTEXT) == {"checked": 1}
    assert world.handler(endpoint, CONTEXT) == {"checked": 0}  # gone: no longer followed
    [gone] = world.posts(start)
    assert "MyEndpoint" in gone.text and "stopped following" in gone.text
    # SageMaker sends no Autopilot events; one of the Autopilot job's own jobs names it
    child = training_event("churn-autopilot-dpp0-1")
    child["detail"]["AutoMLJobArn"] = (
        "arn:aws:sagemaker:us-east-1:123456789012:automl-job/churn-autopilot"
    )
    assert world.handler(child, CONTEXT) == {"checked": 1}
    [autopilot] = world.posts(start)[1:]
    assert "churn-autopilot" in autopilot.text
    # Processing jobs are nobody's follow today: understood, and nothing to do
    processing = aws_event("sagemaker_processing_job_state_change")
    assert world.handler(processing, CONTEXT) == {"checked": 0}
    assert len(world.posts(start)) == 2


def test_an_autopilot_jobs_processing_events_post_its_follow_up_once(world: World) -> None:
    # Autopilot's own jobs start with data processing: its first events are processing ones
    state = world.bot.chatops.state
    state.follow(
        "autopilot", "churn-ap2", channel="C0MLOPS", thread_ts="2.0", request_id="r", interval=5
    )
    event = aws_event("sagemaker_processing_job_state_change")
    event["detail"]["AutoMLJobArn"] = (
        "arn:aws:sagemaker:us-east-1:123456789012:automl-job/churn-ap2"
    )
    start = len(world.slack.records)
    assert world.handler(event, CONTEXT) == {"checked": 1}
    assert world.handler(copy.deepcopy(event), CONTEXT) == {"checked": 0}  # delivered twice
    [post] = world.posts(start)
    assert post.thread_ts == "2.0" and "churn-ap2" in post.text


def test_a_bot_that_cannot_start_answers_503_and_logs_why(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)  # no CHATOPS_DYNAMODB_TABLE: SQLite cannot serve Lambda
    handler = Entry(lambda: LambdaBot.build(settings))
    event = http_event(command_body("help", "trig-x"), "application/x-www-form-urlencoded")
    with caplog.at_level(logging.ERROR):
        assert handler(event, CONTEXT) == {"statusCode": 503, "body": "", "headers": {}}
        assert handler({"chatops": "sweep"}, CONTEXT) is None
    assert "CHATOPS_DYNAMODB_TABLE is not set" in caplog.text


def test_a_sweep_step_that_fails_leaves_the_others_done(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    posts = world.slack_request(
        message_body(f"train xgboost on {DATA}", "1800000006.000100"), "application/json"
    )
    world.approve(next(p for p in posts if p.buttons()), stamp="1800000006.000002")
    with Stubber(world.aws.scheduler) as scheduler, caplog.at_level(logging.ERROR):
        scheduler.add_client_error(
            "list_schedules", "InternalServerException", http_status_code=500
        )
        result = world.handler({"chatops": "sweep"}, CONTEXT)
    assert result is not None and result["schedules"] == "failed" and result["checked"] == 1
    assert "sweep: schedules failed" in caplog.text
