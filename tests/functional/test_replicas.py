"""Three replicas on one DynamoDB table (moto), one Slack: every event delivered four times
across them is answered once, a click decided once, a scheduled report posted once per
fire, a followed job's changes posted once each, and a replica that dies mid-follow is
replaced within one lease."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto import mock_aws
from slack_sdk import WebClient

from bot.app import build_deps, create, open_state_for
from bot.sandbox.driver import TrackingExecutor
from bot.sandbox.moto_ext import atomic_dynamodb
from bot.sandbox.slack_api import SlackStandIn
from bot.slack.bolt import handle
from bot.state.dynamodb import create_table
from intents.clients import AwsClients
from tests.conftest import make_settings

TOKEN = "xoxb-replicas"
SECRET = "test-signing-secret"
DATA = "s3://acme-ml-data/churn/train.csv"


@dataclass
class Cluster:
    replicas: list[Any]
    executors: list[TrackingExecutor]
    slack: SlackStandIn
    now: list[float]

    def deliver(self, body: str, content_type: str, times: int = 4) -> list[int]:
        """The same delivery, *times* times, round robin over the replicas (Slack retries)."""
        statuses = []
        for i in range(times):
            stamp = str(int(time.time()))
            digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
            headers = {
                "content-type": content_type,
                "x-slack-request-timestamp": stamp,
                "x-slack-signature": f"v0={digest.hexdigest()}",
            }
            statuses.append(handle(self.replicas[i % len(self.replicas)].app, body, headers).status)
        for executor in self.executors:
            assert executor.wait_idle(30)
        return statuses

    def say(self, text: str, ts: str, user: str = "U0ALICE") -> list[Any]:
        start = len(self.slack.records)
        event = {
            "type": "message",
            "channel": "C0MLOPS",
            "user": user,
            "text": text,
            "ts": ts,
            "channel_type": "channel",
            "team": "T0TEST",
        }
        body = {
            "type": "event_callback",
            "team_id": "T0TEST",
            "api_app_id": "A1",
            "event": event,
            "event_id": f"Ev{ts}",
            "event_time": 1,
        }
        assert self.deliver(json.dumps(body), "application/json") == [200] * 4
        return self.posts(start)

    def click(self, plan_id: str, user: str = "U0ALICE") -> list[Any]:
        start = len(self.slack.records)
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": "T0TEST"},
            "team": {"id": "T0TEST"},
            "channel": {"id": "C0MLOPS"},
            "container": {"type": "message", "message_ts": "1.0"},
            "trigger_id": "t",
            "actions": [{"action_id": "plan_approve", "value": plan_id, "type": "button"}],
        }
        self.deliver(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
        return self.posts(start)

    def posts(self, start: int) -> list[Any]:
        return [r for r in self.slack.records[start:] if r.kind in ("post", "update", "ephemeral")]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    slack = SlackStandIn(TOKEN).start()
    atomic_dynamodb()  # replicas' executors write concurrently; DynamoDB's writes are atomic
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("acme-ml-data", "acme-ml-artifacts"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="acme-ml-data", Key="churn/train.csv", Body=b"churned,a,b\n0,1,2\n")
        create_table(boto3.client("dynamodb", region_name="us-east-1"), "chatops-state")
        settings = make_settings(
            tmp_path, slack_bot_token=TOKEN, slack_api_url=slack.url, dynamodb_table="chatops-state"
        )
        now = [time.time()]
        replicas, executors = [], []
        for _ in range(3):
            aws = AwsClients("us-east-1")  # each replica its own clients and state object
            state = open_state_for(settings, aws)
            deps = build_deps(settings, state, aws=aws, clock=lambda: now[0])
            executor = TrackingExecutor()
            replicas.append(
                create(
                    settings,
                    deps=deps,
                    state=state,
                    executor=executor,
                    client=WebClient(token=TOKEN, base_url=slack.url),
                    start_follower=False,
                )
            )
            executors.append(executor)
        yield Cluster(replicas, executors, slack, now)
        for executor in executors:
            executor.shutdown(wait=True)
    slack.stop()


def test_an_event_delivered_to_every_replica_is_answered_once(cluster: Cluster) -> None:
    posts = cluster.say("help", "1800000001.000100")
    assert len(posts) == 1 and "What I can do" in posts[0].text


def test_a_change_is_proposed_once_and_run_once_whoever_gets_the_click(cluster: Cluster) -> None:
    posts = cluster.say(f"train xgboost on {DATA}", "1800000002.000100")
    cards = [p for p in posts if "Confirm: Start training job" in p.text]
    assert len(cards) == 1
    plan_id = cards[0].blocks[-1]["elements"][0]["value"]
    cluster.click(plan_id)
    sm = cluster.replicas[0].deps.aws.sagemaker
    assert len(sm.list_training_jobs()["TrainingJobSummaries"]) == 1
    assert cluster.replicas[1].state.plan(plan_id).state == "done"
    follows = cluster.replicas[2].state.active_follows()
    assert len(follows) == 1  # one follow, whichever replica ran it


def test_a_scheduled_report_is_posted_once_per_fire(cluster: Cluster) -> None:
    state = cluster.replicas[0].state
    schedule = state.put_schedule(
        team="T0TEST",
        channel="C0MLOPS",
        report="budget",
        frequency="daily",
        time_of_day="09:00",
        day=None,
        created_by="U0ALICE",
    )
    start = len(cluster.slack.records)
    fired = [bot.scheduler.post(schedule.id) for bot in cluster.replicas]
    assert sum(1 for f in fired if f is not None) == 1
    assert len(cluster.posts(start)) == 1


def test_a_followed_jobs_changes_are_posted_once_and_a_dead_follower_is_replaced(
    cluster: Cluster,
) -> None:
    posts = cluster.say(f"train xgboost on {DATA}", "1800000003.000100")
    plan_id = next(p for p in posts if "Confirm" in p.text).blocks[-1]["elements"][0]["value"]
    cluster.click(plan_id)
    job = cluster.replicas[0].state.active_follows()[0]
    # Replica 0 takes the job's lease and dies without checking it
    assert cluster.replicas[0].state.claim_follow(
        job.kind, job.name, owner="dead-replica", until=cluster.now[0] + 60, now=cluster.now[0]
    )
    start = len(cluster.slack.records)
    assert [bot.follower.poll_once() for bot in cluster.replicas[1:]] == [0, 0]  # leased
    cluster.now[0] += 61  # one lease later
    for _ in range(3):  # every live replica polls, again and again
        for bot in cluster.replicas[1:]:
            bot.follower.poll_once()
        cluster.now[0] += 10
    statuses = [p.text for p in cluster.posts(start)]
    assert statuses, "another replica took over the job"
    assert len(statuses) == len(set(statuses)), f"a status was posted twice: {statuses}"


def test_two_replicas_recovering_one_unanswered_request_answer_it_once(
    cluster: Cluster,
) -> None:
    import threading

    # A replica acknowledged "help" and died before its worker took it: only the inbox has it
    event = {
        "type": "message",
        "channel": "C0MLOPS",
        "user": "U0ALICE",
        "text": "help",
        "ts": "1800000009.000100",
        "channel_type": "channel",
        "team": "T0TEST",
    }
    body = {"type": "event_callback", "team_id": "T0TEST", "event": event, "event_id": "Ev9"}
    key = "msg:T0TEST:C0MLOPS:1800000009.000100"
    state = cluster.replicas[0].state
    kept = {"body": body, "bot_user_id": "", "bot_id": ""}
    assert state.receive(key, "event", kept, now=cluster.now[0])
    start = len(cluster.slack.records)
    assert [bot.inbox.redo() for bot in cluster.replicas] == [0, 0, 0]  # too young: a live worker
    cluster.now[0] += 121
    ready = threading.Barrier(2)
    done: list[int] = []

    def redo(bot: Any) -> None:
        ready.wait()
        done.append(bot.inbox.redo())

    threads = [threading.Thread(target=redo, args=(bot,)) for bot in cluster.replicas[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(done) == [0, 1]  # one replica took it on; the other found it leased
    posts = cluster.posts(start)
    assert len(posts) == 1 and "What I can do" in posts[0].text
    assert state.unanswered(before=cluster.now[0] + 10**6) == []
    cluster.now[0] += 121
    assert [bot.inbox.redo() for bot in cluster.replicas] == [0, 0, 0]
    assert len(cluster.posts(start)) == 1
