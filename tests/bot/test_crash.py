"""Exactly once across a crash: the process dies at a step boundary (simulated by an
exception no code of ours catches, raised by the state backend or the Slack client at
that point), a new process starts on the same state file, and every job, card and post
exists once.

The "process" is the whole assistant built by ``bot.app.create`` over a real SQLite
file, moto (decorator mode) and the local Slack stand-in; restarting builds it again,
which runs the start-up recovery.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from slack_sdk import WebClient

from bot.app import build_deps, create
from bot.gate.types import Decision, Message
from bot.sandbox.slack_api import SlackStandIn
from bot.state.sqlite import SqliteState
from tests.conftest import make_settings

DATA = "s3://acme-ml-data/churn/train.csv"


class Crash(BaseException):
    """The process dies here (nothing of ours catches a BaseException)."""


class CrashingState:
    """The real state backend, except that one call kills the process, before or after it
    happens ("before:follow", "after:decide")."""

    def __init__(self, path: Path, at: str | None = None) -> None:
        self._real = SqliteState(path)
        self._at = at

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._real, name)
        if not callable(real) or self._at not in (f"before:{name}", f"after:{name}"):
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            at, self._at = self._at, None  # once
            if at == f"before:{name}":
                raise Crash(at)
            result = real(*args, **kwargs)
            raise Crash(at)
            return result  # pragma: no cover

        return call

    def close(self) -> None:
        self._real.close()


class CrashingClient(WebClient):
    """A Slack client that dies when it is about to post a message whose key matches."""

    def __init__(
        self, *args: Any, die_on: Callable[[str], bool] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.die_on = die_on

    def chat_postMessage(self, **kwargs: Any) -> Any:
        key = ((kwargs.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if self.die_on is not None and self.die_on(key):
            self.die_on = None
            raise Crash(f"posting {key}")
        return super().chat_postMessage(**kwargs)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Any]:
    slack = SlackStandIn("xoxb-crash").start()
    settings = make_settings(tmp_path, slack_bot_token="xoxb-crash", slack_api_url=slack.url)
    with mock_aws():
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("acme-ml-data", "acme-ml-artifacts"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="acme-ml-data", Key="churn/train.csv", Body=b"churned,a,b\n0,1,2\n")
        processes: list[Any] = []
        now = [time.time()]

        def start(
            *,
            state_at: str | None = None,
            die_on: Callable[[str], bool] | None = None,
            after: float = 180,
        ) -> Any:
            """A new process, *after* seconds later: by default past the leases a dead
            process held (how long its work waits before another takes it over)."""
            now[0] += after
            state = CrashingState(settings.state_db, state_at)
            client = CrashingClient(token="xoxb-crash", base_url=slack.url, die_on=die_on)
            deps = build_deps(settings, state, clock=lambda: now[0])  # type: ignore[arg-type]
            bot = create(settings, deps=deps, state=state, client=client, start_follower=False)  # type: ignore[arg-type]
            processes.append(bot)
            return bot

        yield start, slack
        for bot in processes:
            bot.state.close()
    slack.stop()


def _propose(
    bot: Any, text: str = f"train xgboost on {DATA}", ts: str = "1800000000.000100"
) -> str:
    message = Message(
        team="T1",
        channel="C0MLOPS",
        user="U0ALICE",
        text=text,
        source="message",
        addressed=True,
        delivery_key=f"msg:T1:C0MLOPS:{ts}",
        thread_ts=ts,
    )
    bot.front.message(_inbound(message))
    plans = bot.state.pending_plans("C0MLOPS")
    assert len(plans) == 1
    return str(plans[0].id)


def _inbound(message: Message) -> Any:
    from bot.slack.inbound import Inbound

    return Inbound(message, message_ts=message.thread_ts, raw_text=message.text)


def _approve(bot: Any, plan_id: str) -> None:
    bot.gate.click(Decision(plan_id, True, "U0ALICE", "T1", "C0MLOPS", user_team="T1"), "r-click")


def _jobs(bot: Any) -> list[str]:
    sm = bot.deps.aws.sagemaker
    return [j["TrainingJobName"] for j in sm.list_training_jobs()["TrainingJobSummaries"]]


def test_killed_after_the_approval_before_the_job_started(world: Any) -> None:
    start, slack = world
    first = start(state_at="after:decide")
    plan_id = _propose(first)
    with pytest.raises(Crash):
        _approve(first, plan_id)
    assert _jobs(first) == [] and first.state.plan(plan_id).state == "approved"
    # The restart finishes the approved run: one job, followed, the plan done
    second = start()
    assert len(_jobs(second)) == 1
    plan = second.state.plan(plan_id)
    assert plan.state == "done"
    assert [f.name for f in second.state.active_follows()] == _jobs(second)
    # A second click says it was done, and does nothing more
    _approve(second, plan_id)
    assert len(_jobs(second)) == 1 and "already approved and run" in slack.records[-1].text


def test_killed_after_the_job_was_created_before_it_was_followed(world: Any) -> None:
    start, _slack = world
    first = start(state_at="before:follow")
    plan_id = _propose(first)
    with pytest.raises(Crash):
        _approve(first, plan_id)
    assert len(_jobs(first)) == 1 and first.state.active_follows() == []
    second = start()
    assert len(_jobs(second)) == 1  # not started again
    assert [f.name for f in second.state.active_follows()] == _jobs(second)
    assert second.state.plan(plan_id).state == "done"


def _follow_once(bot: Any) -> None:
    bot.follower.poll_once()


def _training_posts(slack: Any, job: str) -> list[str]:
    """The job's status posts in its thread (each carries its key)."""

    def key(record: Any) -> str:
        return str(((record.metadata or {}).get("event_payload") or {}).get("key", ""))

    prefix = f"follow:training:{job}:"
    return [r.text for r in slack.posts() if r.kind == "post" and key(r).startswith(prefix)]


def test_killed_before_a_status_post_is_made(world: Any) -> None:
    start, slack = world
    first = start()
    _approve(first, _propose(first))
    job = _jobs(first)[0]
    dying = start(die_on=lambda key: key.startswith("follow:"))
    with pytest.raises(Crash):
        _follow_once(dying)
    assert _training_posts(slack, job) == []
    third = start()  # recovery makes the owed post
    assert len(_training_posts(slack, job)) == 1
    _follow_once(third)  # and the next check does not repeat it
    assert len(_training_posts(slack, job)) == 1


def test_killed_after_a_status_post_before_it_was_recorded(world: Any) -> None:
    start, slack = world
    first = start()
    _approve(first, _propose(first))
    job = _jobs(first)[0]
    dying = start(state_at="before:posted")
    with pytest.raises(Crash):
        _follow_once(dying)
    assert len(_training_posts(slack, job)) == 1  # it was posted
    third = start()  # recovery finds it in Slack (its key) and does not post it again
    _follow_once(third)
    assert len(_training_posts(slack, job)) == 1
    assert third.state.pending_posts() == []


def test_a_status_post_slack_refuses_is_retried_on_the_next_pass(world: Any) -> None:
    start, slack = world
    bot = start()
    _approve(bot, _propose(bot))
    job = _jobs(bot)[0]
    slack.failures["chat.postMessage"] = [(500, {})] * 3  # the first try and both retries
    _follow_once(bot)
    assert _training_posts(slack, job) == [] and len(bot.state.pending_posts()) == 1
    _follow_once(bot)  # Slack is back
    assert len(_training_posts(slack, job)) == 1 and bot.state.pending_posts() == []


def test_killed_before_a_card_was_posted(world: Any) -> None:
    start, slack = world
    first = start(die_on=lambda key: key.startswith("card:"))
    with pytest.raises(Crash):
        _propose(first)
    cards = lambda: [r for r in slack.posts() if "Confirm: Start training job" in r.text]  # noqa: E731
    assert cards() == []
    second = start()  # the plan is there; its card is posted now, once
    assert len(cards()) == 1
    plan = second.state.pending_plans("C0MLOPS")[0]
    assert plan.card_ts == cards()[0].ts
    start()  # another restart posts nothing more
    assert len(cards()) == 1


def test_a_replica_starting_while_another_posts_a_card_leaves_it_to_the_poster(
    world: Any,
) -> None:
    start, slack = world
    poster = start(die_on=lambda key: key.startswith("card:"))
    with pytest.raises(Crash):  # here: the poster is still on its way to Slack
        _propose(poster)
    cards = lambda: [r for r in slack.posts() if "Confirm: Start training job" in r.text]  # noqa: E731
    start(after=5)  # a replica starting meanwhile does not post it too
    assert cards() == []
    later = start()  # owed long enough: the poster is gone, the card is posted once
    assert len(cards()) == 1
    plan = later.state.pending_plans("C0MLOPS")[0]
    _approve(later, plan.id)  # the recovery's lease is handed back: the approval runs now
    assert len(_jobs(later)) == 1


def test_killed_after_a_card_was_posted_before_it_was_recorded(world: Any) -> None:
    start, slack = world
    first = start(state_at="before:set_card")
    with pytest.raises(Crash):
        _propose(first)
    cards = lambda: [r for r in slack.posts() if "Confirm: Start training job" in r.text]  # noqa: E731
    assert len(cards()) == 1
    second = start()
    assert len(cards()) == 1  # found by its key, not posted again
    assert second.state.pending_plans("C0MLOPS")[0].card_ts == cards()[0].ts


# ---------------------------------------------------------------- acknowledged requests


def _deliver(bot: Any, body: dict[str, Any], *, form: bool = False) -> int:
    """One signed delivery to the process's Bolt app (an Events API event, or with *form*
    an interaction payload); waits for its workers."""
    import hashlib
    import hmac
    import json
    from urllib.parse import urlencode

    from bot.slack.bolt import handle

    raw = urlencode({"payload": json.dumps(body)}) if form else json.dumps(body)
    stamp = str(int(time.time()))
    digest = hmac.new(b"test-signing-secret", f"v0:{stamp}:{raw}".encode(), hashlib.sha256)
    headers = {
        "content-type": "application/x-www-form-urlencoded" if form else "application/json",
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": f"v0={digest.hexdigest()}",
    }
    status = handle(bot.app, raw, headers).status
    assert bot.work.wait_idle(10)
    return status


def _help_event(ts: str = "1800000100.000100") -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": "C0MLOPS",
        "user": "U0ALICE",
        "text": "help",
        "ts": ts,
        "channel_type": "channel",
        "team": "T1",
    }
    return {"type": "event_callback", "team_id": "T1", "event": event, "event_id": f"Ev{ts}"}


def _help_answers(slack: Any) -> list[Any]:
    return [r for r in slack.posts() if r.kind == "post" and "What I can do" in r.text]


def test_killed_after_the_ack_before_the_work_started(world: Any) -> None:
    start, slack = world
    first = start(state_at="before:claim_received")  # the worker dies as it takes the request
    assert _deliver(first, _help_event()) == 200
    assert _help_answers(slack) == []
    second = start()  # acknowledged and unanswered: the new process answers it
    assert len(_help_answers(slack)) == 1
    assert second.state.unanswered(before=time.time() + 10**6) == []
    start()  # and no later one answers it again
    assert len(_help_answers(slack)) == 1


def test_killed_after_the_answer_was_posted_before_it_was_recorded(world: Any) -> None:
    start, slack = world
    first = start(state_at="before:answered")
    _deliver(first, _help_event())
    assert len(_help_answers(slack)) == 1  # posted; the process died before noting it
    assert len(first.state.unanswered(before=time.time() + 10**6)) == 1
    second = start()  # the answer is found in Slack by its key, not posted again
    assert len(_help_answers(slack)) == 1
    assert second.state.unanswered(before=time.time() + 10**6) == []


def test_a_slack_retry_of_an_answered_request_does_nothing(world: Any) -> None:
    start, slack = world
    first = start()
    _deliver(first, _help_event())
    assert len(_help_answers(slack)) == 1
    records = len(slack.records)
    second = start()
    assert _deliver(second, _help_event()) == 200  # Slack retries (another process gets it)
    assert len(slack.records) == records  # no answer, no reaction, nothing


def test_a_request_that_fails_three_times_is_told_once_and_dropped(
    world: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.gate import Gate

    tried: list[str] = []

    def broken(self: Any, message: Message, request_id: str, reading: Any = None) -> Any:
        tried.append(message.delivery_key)
        raise RuntimeError("the bug")

    monkeypatch.setattr(Gate, "answer", broken)
    start, slack = world
    _deliver(start(), _help_event())  # attempt 1
    start()  # attempt 2, at start
    start()  # attempt 3
    assert len(tried) == 3
    told = lambda: [r for r in slack.records if r.kind == "ephemeral"]  # noqa: E731
    assert told() == []
    with caplog.at_level("ERROR"):
        start()  # three failed: given up, the asker told
    assert len(tried) == 3
    [line] = told()
    assert line.user == "U0ALICE" and "could not answer that request" in line.text
    assert "r-" in line.text and "Traceback" not in line.text and "the bug" not in line.text
    [error] = [r for r in caplog.records if r.levelname == "ERROR" and "gave up" in r.message]
    assert "msg:T1:C0MLOPS:1800000100.000100" in error.message and "r-" in error.message
    start()  # nothing more: no attempt, no second line
    assert len(tried) == 3 and len(told()) == 1
    assert [r for r in slack.records if r.kind == "post"] == []


def test_a_young_request_is_left_to_its_process_then_the_periodic_pass_answers_it(
    world: Any,
) -> None:
    start, slack = world
    first = start(state_at="before:claim_received")
    _deliver(first, _help_event())
    second = start(after=5)  # 5 s later: its own worker may still be on it
    assert _help_answers(slack) == []
    second.inbox.grace, second.inbox.sweep_seconds = 0.0, 0.05  # time passes
    second.inbox.start()
    try:
        deadline = time.time() + 10
        while not _help_answers(slack) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a few more passes
    finally:
        second.inbox.stop()
    assert len(_help_answers(slack)) == 1


def test_a_click_acknowledged_by_a_process_that_died_is_run_once(world: Any) -> None:
    start, _slack = world
    first = start(state_at="before:claim_received")
    plan_id = _propose(first)
    click = {
        "type": "block_actions",
        "user": {"id": "U0ALICE", "team_id": "T1"},
        "team": {"id": "T1"},
        "channel": {"id": "C0MLOPS"},
        "container": {"type": "message", "message_ts": "1.0"},
        "trigger_id": "t-1",
        "actions": [{"action_id": "plan_approve", "value": plan_id, "action_ts": "1800000200.1"}],
    }
    assert _deliver(first, click, form=True) == 200
    assert _jobs(first) == [] and first.state.plan(plan_id).state == "pending"
    second = start()  # the click is taken on again: approved and run once
    assert len(_jobs(second)) == 1 and second.state.plan(plan_id).state == "done"
    _deliver(second, click, form=True)  # Slack's retry of it
    third = start()
    assert len(_jobs(third)) == 1
