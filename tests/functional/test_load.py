"""Full stack under load: the work queue's bound and the "busy" answer, work done for every
request taken, and identical questions sharing one AWS read.

Signed Slack requests go through the real Bolt app; answers are read off the Slack
stand-in; AWS is the sandbox's moto server. No timing: a handler held on an event
fills the queue, and AWS calls are counted with a botocore hook.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import CHANNEL, Sandbox
from bot.sandbox.slack_api import BOT_USER_ID
from bot.slack.acks import AckProcess
from intents import registry as build_registry
from intents.reply import Reply, md
from tests.conftest import blocks_text, with_handlers

BUSY = "I'm busy, try again in a minute."
RELEASE = threading.Event()
STARTED = threading.Event()


def held(request: Any, deps: Any) -> Reply:
    """A slow answer: holds its worker until the test lets it go."""
    STARTED.set()
    RELEASE.wait(60)
    return Reply.text(md("Done: {t}", t=request.text))


@pytest.fixture(scope="module")
def tight() -> Iterator[Sandbox]:
    """One worker and one place in the queue; "how is training going" holds its worker
    (and every ask runs its handler: no answer is shared here)."""
    box = Sandbox(
        scale=0,
        working_delay=30.0,
        traffic=False,
        start_follower=False,
        settings_overrides={"workers": 1, "queue_size": 1, "shared_read_seconds": 0},
        registry=with_handlers(build_registry(), TrainingStatus=held),
    )
    box.start()
    yield box
    RELEASE.set()
    box.stop()


def _records_for(box: Sandbox, ts: str) -> list[Any]:
    assert box.slack is not None
    return [r for r in box.slack.records if r.thread_ts == ts or r.ts == ts]


def test_a_full_queue_acks_and_tells_the_asker_busy_and_what_was_taken_is_answered(
    tight: Sandbox,
) -> None:
    driver, slack = tight.driver, tight.slack
    assert driver is not None and slack is not None
    RELEASE.clear()
    STARTED.clear()
    # Given the one worker busy with a slow answer and the one place in the queue taken
    first, ack1 = driver.message("U0ALICE", "how is training going")
    assert STARTED.wait(30)
    second, ack2 = driver.message("U0BOB", "how is training going with the fraud model")
    # When a third person asks, and someone runs a command, while it is full
    third, ack3 = driver.message("U0CAROL", "are my endpoints healthy")
    command_ack = driver.command("U0CAROL", "endpoints")
    # Then Slack got its ack every time
    assert [r.status for r in (ack1, ack2, ack3, command_ack)] == [200] * 4
    # and the asker alone is told the bot is busy, in their thread; the command through
    # its response URL; no ⏳, no answer, no AWS read for them
    assert tight.chatops.busy.wait_idle(30)
    busy = [r for r in slack.records if BUSY in r.text]
    assert [(r.kind, r.user, r.thread_ts) for r in busy if r.channel == CHANNEL] == [
        ("ephemeral", "U0CAROL", third)
    ]
    assert [r.kind for r in busy if r.channel == "response_url"] == ["ephemeral"]
    assert [r.kind for r in _records_for(tight, third)] == ["ephemeral"]
    # When the slow answer finishes, both requests that were taken are answered
    RELEASE.set()
    assert driver.settle(30)
    for ts in (first, second):
        answers = [r for r in _records_for(tight, ts) if r.kind == "post"]
        assert len(answers) == 1 and "Done:" in blocks_text(answers[0])
    assert tight.chatops.work.taken == 0
    # and every one of them, "busy" included, is answered as far as the inbox knows (nothing
    # is taken on again after a restart)
    assert tight.chatops.state.unanswered(before=1e12) == []


def test_a_click_while_full_is_answered_busy_and_the_card_waits(tight: Sandbox) -> None:
    driver, slack = tight.driver, tight.slack
    assert driver is not None and slack is not None
    RELEASE.set()
    # Given a card
    driver.message("U0ALICE", "delete endpoint recsys-staging")
    assert driver.settle(30)
    found = slack.latest_with_button("Approve")
    assert found is not None
    card, button = found
    # and a full queue
    RELEASE.clear()
    STARTED.clear()
    driver.message("U0ALICE", "how is training going")
    assert STARTED.wait(30)
    driver.message("U0BOB", "how is training going")
    # When someone approves
    response = driver.click_button("U0ALICE", card, button)
    assert response.status == 200
    assert tight.chatops.busy.wait_idle(30)
    # Then only the clicker is told, and nothing was decided
    told = [r for r in slack.records if BUSY in r.text and r.user == "U0ALICE"]
    assert told and told[-1].kind == "ephemeral"
    RELEASE.set()
    assert driver.settle(30)
    assert slack.latest_with_button("Approve") is not None
    sm = tight.chatops.deps.aws.sagemaker
    assert "recsys-staging" in [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
    assert tight.chatops.state.unanswered(before=1e12) == []  # the "busy" click too


def test_overheard_messages_get_no_busy_answer(tight: Sandbox) -> None:
    driver, slack = tight.driver, tight.slack
    assert driver is not None and slack is not None
    RELEASE.clear()
    STARTED.clear()
    # Given a thread the bot takes part in, in a channel that is not the bot's
    ts, _ = driver.message("U0ALICE", f"<@{BOT_USER_ID}> help", channel="C0GENERAL")
    assert driver.settle(30)
    # and a full queue
    driver.message("U0ALICE", "how is training going")
    assert STARTED.wait(30)
    driver.message("U0BOB", "how is training going")
    assert tight.chatops.work.taken == 2
    # When someone says something in that thread (not to the bot)
    driver.message("U0BOB", "thanks, looks good", channel="C0GENERAL", thread_ts=ts)
    assert tight.chatops.busy.wait_idle(30)
    RELEASE.set()
    assert driver.settle(30)
    # Then nobody is told anything about it
    assert not [r for r in slack.records if BUSY in r.text and r.user == "U0BOB"]


# --------------------------------------------------------------------------- over HTTP


class _Acked:
    def __init__(self, status: int) -> None:
        self.status = status


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def over_http(tight: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """The sandbox's Bolt app behind the ack process, as `chatops run` serves it: the driver's
    signed requests go to it over HTTP. Yields a barrier: it returns once the bot has
    dispatched every request acknowledged before it (a health check travels the same
    ordered channel and is answered by the same thread)."""
    driver = tight.driver
    assert driver is not None
    secret = driver.verifier.signing_secret
    port = _free_port()
    acks = AckProcess(tight.chatops.app, secret, port)
    thread = threading.Thread(target=acks.serve, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the ack process did not start listening"
            time.sleep(0.05)

    def post(body: str, content_type: str) -> _Acked:
        stamp = str(int(time.time()))
        signature = driver.verifier.generate_signature(timestamp=stamp, body=body) or ""
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events",
            data=body.encode(),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return _Acked(response.status)
        except urllib.error.HTTPError as error:
            return _Acked(error.code)

    def barrier() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert r.status == 200

    monkeypatch.setattr(driver, "_dispatch", post)
    yield barrier
    RELEASE.set()
    acks.stop()
    thread.join(30)
    assert not thread.is_alive()


def test_over_http_acks_come_while_workers_are_busy_and_a_full_queue_says_busy(
    tight: Sandbox, over_http: Callable[[], None]
) -> None:
    driver, slack = tight.driver, tight.slack
    assert driver is not None and slack is not None
    RELEASE.clear()
    STARTED.clear()
    start = len(slack.records)
    # Given the one worker busy with a slow answer and the one place in the queue taken
    first, ack1 = driver.message("U0ALICE", "how is training going")
    assert STARTED.wait(30)
    second, ack2 = driver.message("U0BOB", "how is training going with the fraud model")
    # When three more people ask, and one request is signed with the wrong secret
    later = [driver.message(user, "are my endpoints healthy") for user in ("U0C", "U0D", "U0E")]
    real_verifier = driver.verifier
    driver.verifier = SignatureVerifier("not-the-secret")
    try:
        forged_ack = driver.message("U0MALLORY", "delete endpoint recsys-staging")[1]
    finally:
        driver.verifier = real_verifier
    over_http()
    # Then Slack got its 200 for every signed request while the worker was still held,
    # and a 401 for the forged one
    assert not RELEASE.is_set()
    assert [a.status for a in (ack1, ack2, *(ack for _, ack in later))] == [200] * 5
    assert forged_ack.status == 401
    # and each of the three is told "busy", to them alone, in their thread
    assert tight.chatops.busy.wait_idle(30)
    busy = [r for r in slack.records[start:] if BUSY in r.text]
    assert sorted((r.kind, r.user, r.thread_ts) for r in busy) == sorted(
        ("ephemeral", user, ts) for (ts, _), user in zip(later, ("U0C", "U0D", "U0E"), strict=True)
    )
    # When the slow answer finishes, both requests that were taken are answered, once
    RELEASE.set()
    over_http()
    assert driver.settle(30)
    for ts in (first, second):
        answers = [r for r in _records_for(tight, ts) if r.kind == "post"]
        assert len(answers) == 1 and "Done:" in blocks_text(answers[0])
    # and nothing reached the bot from the forged request
    assert not [r for r in slack.records[start:] if r.user == "U0MALLORY"]
    assert not [r for r in slack.records[start:] if "recsys-staging" in r.text + blocks_text(r)]


# --------------------------------------------------------------------------- room to spare


@pytest.fixture(scope="module")
def roomy() -> Iterator[Sandbox]:
    """The default queue; shared answers kept long enough that no test depends on timing."""
    box = Sandbox(
        scale=0,
        working_delay=30.0,
        traffic=False,
        start_follower=False,
        settings_overrides={"shared_read_seconds": 300},
    )
    box.start()
    yield box
    box.stop()


def test_every_request_acked_and_taken_is_answered_once(roomy: Sandbox) -> None:
    driver, slack = roomy.driver, roomy.slack
    assert driver is not None and slack is not None
    texts = [
        "help",
        "list training jobs",
        "are we over budget?",
        "how much did we spend this month?",
        "what's sitting idle?",
    ]
    start = len(slack.records)
    sent = []
    for i in range(20):
        ts, ack = driver.message(f"U0USER{i % 4}", texts[i % len(texts)])
        assert ack.status == 200
        sent.append(ts)
    assert driver.settle(60)
    answers = Counter(r.thread_ts for r in slack.records[start:] if r.kind == "post")
    assert answers == Counter(sent)


# --------------------------------------------------------------------------- shared reads


class AwsCalls:
    """Counts the AWS operations the bot calls (a botocore hook on its clients)."""

    def __init__(self, aws: Any, services: tuple[str, ...]) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        for service in services:
            aws.client(service).meta.events.register("before-call", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[model.name] += 1

    def take(self) -> Counter[str]:
        with self._lock:
            calls, self.calls = self.calls, Counter()
        return calls


def test_a_burst_of_the_same_question_costs_one_report(roomy: Sandbox) -> None:
    driver, slack = roomy.driver, roomy.slack
    assert driver is not None and slack is not None
    aws = AwsCalls(roomy.chatops.deps.aws, ("sagemaker", "cloudwatch", "sts"))
    # Given a warm bot (names known), one report in a DM: what one report costs
    driver.message("U0ALICE", "help", channel="D0ALICE", channel_type="im")
    driver.message("U0ALICE", "are my endpoints healthy", channel="D0ALICE", channel_type="im")
    assert driver.settle(30)
    aws.take()
    driver.message("U0BOB", "are my endpoints healthy", channel="D0BOB", channel_type="im")
    assert driver.settle(30)
    one_report = aws.take()
    assert one_report["ListEndpoints"] >= 1 and one_report["GetMetricData"] >= 1
    # When five people ask the same in the channel at once (their answers are worked on
    # concurrently), in two wordings
    start = len(slack.records)
    asked = [
        driver.message(user, text)[0]
        for user, text in [
            ("U0ALICE", "are my endpoints healthy"),
            ("U0BOB", "are my endpoints healthy"),
            ("U0CAROL", "how are the endpoints doing?"),
            ("U0DAVE", "are my endpoints healthy"),
            ("U0ERIN", "endpoint health please"),
        ]
    ]
    assert driver.settle(30)
    # Then it cost what one report costs, and everyone got the report in their thread
    assert aws.take() == one_report
    answers = [r for r in slack.records[start:] if r.kind == "post"]
    assert sorted(r.thread_ts for r in answers) == sorted(asked)
    assert len({str(r.blocks) for r in answers}) == 1
    assert "fraud-detector-prod" in blocks_text(answers[0])
    # and every asker is in the audit log
    entries = roomy.chatops.state.audit_entries(limit=50, channel=CHANNEL)
    assert {e.user for e in entries if e.intent == "EndpointHealth"} >= {
        "U0ALICE",
        "U0BOB",
        "U0CAROL",
        "U0DAVE",
        "U0ERIN",
    }


def test_a_change_made_through_the_bot_is_seen_by_the_next_question(roomy: Sandbox) -> None:
    driver, slack = roomy.driver, roomy.slack
    assert driver is not None and slack is not None
    driver.message("U0ALICE", "are my endpoints healthy")
    assert driver.settle(30)
    # When an endpoint is deleted through the bot
    driver.message("U0ALICE", "delete endpoint recsys-staging")
    assert driver.settle(30)
    driver.click("U0ALICE", "Approve")
    assert driver.settle(30)
    # Then the same question in the same channel reads afresh
    start = len(slack.records)
    driver.message("U0BOB", "are my endpoints healthy")
    assert driver.settle(30)
    answer = next(r for r in slack.records[start:] if r.kind == "post")
    assert "recsys-staging" not in blocks_text(answer)
