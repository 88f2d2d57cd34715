"""Full stack: signed Slack requests through the real Bolt app, answers read off the Slack stand-in.

AWS is an in-process moto server seeded with the sandbox's demo account.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_bolt.request import BoltRequest

from bot.sandbox import CHANNEL
from bot.sandbox.slack_api import BOT_USER_ID
from tests.conftest import blocks_text, say, turn, with_handlers

OTHER_CHANNEL = "C0GENERAL"


def test_message_in_bot_channel_answers_in_its_thread_unhealthy_first(sandbox: Any) -> None:
    # Given the demo account, where fraud-detector-prod throws 5xx errors with high latency
    holder: dict[str, str] = {}

    def say() -> None:
        holder["ts"], _ = sandbox.driver.message("U0ALICE", "are my endpoints healthy")

    posts = turn(sandbox, say)
    assert len(posts) == 1
    post = posts[0]
    assert post.channel == CHANNEL and post.thread_ts == holder["ts"]
    sections = [b["text"]["text"] for b in post.blocks if b["type"] == "section" and b.get("text")]
    endpoint_rows = [s for s in sections if "(InService)" in s or "(Creating)" in s]
    assert "fraud-detector-prod" in endpoint_rows[0], "the unhealthy endpoint comes first"
    assert "5xx errors" in endpoint_rows[0]
    errors = int(endpoint_rows[0].split("): ")[1].split(" 5xx")[0].replace(",", ""))
    assert errors > 0
    assert "churn-xgb-prod" in endpoint_rows[-1]  # healthy ones last


def test_app_mention_in_another_channel_is_answered_once(sandbox: Any) -> None:
    posts = turn(
        sandbox,
        lambda: sandbox.driver.message(
            "U0BOB", f"<@{BOT_USER_ID}> how is training going", channel=OTHER_CHANNEL
        ),
    )
    # Slack sends both a message and an app_mention event; only one answer.
    assert len(posts) == 1
    assert posts[0].channel == OTHER_CHANNEL
    assert "Latest training jobs" in blocks_text(posts[0])


def test_dm_is_answered(sandbox: Any) -> None:
    posts = turn(
        sandbox,
        lambda: sandbox.driver.message("U0CAROL", "help", channel="D0CAROL", channel_type="im"),
    )
    assert len(posts) == 1 and posts[0].channel == "D0CAROL"
    text = blocks_text(posts[0])
    for area in ("SageMaker training and jobs", "Endpoints", "About me"):
        assert area in text


def test_slash_command_posts_in_channel_with_the_command_shown(sandbox: Any) -> None:
    posts = turn(
        sandbox, lambda: sandbox.driver.command("U0ALICE", "endpoints fraud-detector-prod")
    )
    assert len(posts) == 1
    text = blocks_text(posts[0])
    assert "/ml endpoints fraud-detector-prod" in text
    assert "Endpoint fraud-detector-prod" in text and "5xx" in text


def test_hostile_mrkdwn_in_user_text_is_escaped(sandbox: Any) -> None:
    posts = turn(
        sandbox,
        lambda: sandbox.driver.command(
            "U0ALICE", "<!channel> <@U0BOB> <https://evil.example|click>"
        ),
    )
    assert posts
    for post in posts:
        raw = json.dumps(post.blocks) + post.text
        assert "<!channel>" not in raw and "<@U0BOB>" not in raw and "<https://evil" not in raw
    assert "&lt;!channel&gt;" in json.dumps(posts[0].blocks)


def test_thread_reply_in_a_bot_thread_is_heard_but_chatter_is_not_answered(sandbox: Any) -> None:
    ts, _ = sandbox.driver.message(
        "U0ALICE", f"<@{BOT_USER_ID}> how is training going", channel=OTHER_CHANNEL
    )
    sandbox.driver.settle()
    # A question in the bot's thread is answered...
    posts = turn(
        sandbox,
        lambda: sandbox.driver.message(
            "U0BOB", "are my endpoints healthy", channel=OTHER_CHANNEL, thread_ts=ts
        ),
    )
    assert len(posts) == 1 and posts[0].thread_ts == ts
    # ...people talking among themselves there are not,
    assert (
        turn(
            sandbox,
            lambda: sandbox.driver.message(
                "U0BOB", "lol nice, see you at lunch", channel=OTHER_CHANNEL, thread_ts=ts
            ),
        )
        == []
    )
    # and a change overheard there needs the bot to be addressed first.
    assert (
        turn(
            sandbox,
            lambda: sandbox.driver.message(
                "U0BOB", "delete endpoint recsys-staging", channel=OTHER_CHANNEL, thread_ts=ts
            ),
        )
        == []
    )


def test_unaddressed_channel_messages_are_ignored(sandbox: Any) -> None:
    assert (
        turn(
            sandbox,
            lambda: sandbox.driver.message(
                "U0BOB", "are my endpoints healthy", channel=OTHER_CHANNEL
            ),
        )
        == []
    )


def test_fallback_gives_short_help_when_addressed(sandbox: Any) -> None:
    posts = turn(sandbox, lambda: sandbox.driver.message("U0ALICE", "what's the weather in paris"))
    assert len(posts) == 1
    assert "didn't catch that" in blocks_text(posts[0])


def test_bots_itself_edits_and_deletions_get_no_answer(sandbox: Any) -> None:
    driver = sandbox.driver
    assert turn(sandbox, lambda: driver.message("U0BOB", "help", extra={"bot_id": "B0OTHER"})) == []
    assert turn(sandbox, lambda: driver.message(BOT_USER_ID, "help")) == []
    assert turn(sandbox, lambda: driver.message("U0BOB", "help", subtype="message_changed")) == []
    assert turn(sandbox, lambda: driver.message("U0BOB", "", subtype="message_deleted")) == []
    assert turn(sandbox, lambda: driver.message("U0BOB", "help", subtype="channel_join")) == []


def test_empty_mention_gets_short_help(sandbox: Any) -> None:
    posts = turn(
        sandbox, lambda: sandbox.driver.message("U0BOB", f"<@{BOT_USER_ID}>", channel=OTHER_CHANNEL)
    )
    assert len(posts) == 1 and "help" in blocks_text(posts[0])


def test_long_messages_get_a_clear_answer(sandbox: Any) -> None:
    for length in (1500, 4500):
        posts = turn(sandbox, lambda n=length: sandbox.driver.message("U0ALICE", "x" * n))
        assert len(posts) == 1
        text = blocks_text(posts[0])
        assert f"{length:,} characters" in text and "1,024" in text
        assert "request r-" in text


def test_unknown_subcommand_says_so(sandbox: Any) -> None:
    posts = turn(sandbox, lambda: sandbox.driver.command("U0ALICE", "frobnicate now"))
    assert len(posts) == 1
    text = blocks_text(posts[0])
    assert "frobnicate" in text and "/ml help" in text


def test_a_repeated_delivery_is_answered_once(sandbox: Any) -> None:
    driver = sandbox.driver
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": "U0BOB",
        "text": "help",
        "ts": sandbox.slack.new_ts(),
        "channel_type": "channel",
    }
    posts = turn(sandbox, lambda: (driver._event(dict(event)), driver._event(dict(event))))
    assert len(posts) == 1


def test_bad_signature_is_refused(sandbox: Any) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0SANDBOX",
            "event": {
                "type": "message",
                "channel": CHANNEL,
                "user": "U0BOB",
                "text": "help",
                "ts": "1.1",
            },
        }
    )
    start = len(sandbox.slack.records)
    response = sandbox.chatops.app.dispatch(
        BoltRequest(
            body=body,
            headers={
                "content-type": ["application/json"],
                "x-slack-request-timestamp": [str(int(time.time()))],
                "x-slack-signature": ["v0=" + "0" * 64],
            },
        )
    )
    sandbox.driver.settle()
    assert response.status == 401
    assert len(sandbox.slack.records) == start


class Hooks:
    """What the injected handlers do before answering; a test sets it and clears it."""

    def __init__(self) -> None:
        self.before: Callable[[], None] = lambda: None
        self.fail: bool = False


@pytest.fixture(scope="module")
def hooked() -> Iterator[tuple[Any, Hooks]]:
    """A sandbox whose Help and AuditLog handlers can be slowed down or broken by a test."""
    from bot.sandbox import Sandbox
    from intents import registry
    from intents.meta import audit_log, help_

    hooks = Hooks()

    def help_hooked(request: Any, deps: Any) -> Any:
        hooks.before()
        return help_(request, deps)

    def audit_hooked(request: Any, deps: Any) -> Any:
        if hooks.fail:
            raise RuntimeError("secret internals: /etc/passwd line 3")
        return audit_log(request, deps)

    injected = with_handlers(registry(), Help=help_hooked, AuditLog=audit_hooked)
    box = Sandbox(
        scale=0, working_delay=5.0, traffic=False, start_follower=False, registry=injected
    )
    box.start()
    yield box, hooks
    box.stop()


def test_slack_is_acked_before_the_work_is_done(hooked: tuple[Any, Hooks]) -> None:
    box, hooks = hooked
    # Given a handler that cannot finish until we let it
    release = threading.Event()
    hooks.before = lambda: release.wait(10)
    try:
        _, response = box.driver.message("U0ALICE", "help")
        # Then the ack came back while the handler was still blocked
        assert response.status == 200
        assert not release.is_set()
    finally:
        release.set()
        hooks.before = lambda: None
    box.driver.settle()


def test_an_unexpected_error_shows_a_request_id_and_no_traceback(
    hooked: tuple[Any, Hooks], caplog: Any
) -> None:
    box, hooks = hooked
    hooks.fail = True
    try:
        posts = say(box, "show the audit log")
    finally:
        hooks.fail = False
    text = blocks_text(posts[0])
    assert "Something went wrong" in text and "request r-" in text
    assert "secret internals" not in text and "Traceback" not in text
    request_id = re.search(r"request (r-[0-9a-f]{8})", text).group(1)  # type: ignore[union-attr]
    logged = [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert any(getattr(r, "request_id", "") == request_id for r in logged)


def test_slow_answers_show_that_the_bot_is_working(hooked: tuple[Any, Hooks]) -> None:
    box, hooks = hooked
    # Given an answer that takes longer than the indicator's delay
    front = box.chatops.front
    delay = front.working_delay
    hooks.before = lambda: time.sleep(0.4)
    front.working_delay = 0.05
    try:
        start = len(box.slack.records)
        _ts, _ = box.driver.message("U0ALICE", "help")
        box.driver.settle()
        kinds = [(r.kind, r.name) for r in box.slack.records[start:]]
        # Then a message gets a reaction that is removed once the answer is posted
        assert kinds == [
            ("reaction", "hourglass_flowing_sand"),
            ("post", ""),
            ("unreaction", "hourglass_flowing_sand"),
        ]
        start = len(box.slack.records)
        box.driver.command("U0ALICE", "help")
        box.driver.settle()
        records = box.slack.records[start:]
        # And a slash command gets a placeholder that the answer replaces in place
        assert [r.kind for r in records] == ["post", "update"]
        assert "Working on" in records[0].text and records[1].ts == records[0].ts
        assert "What I can do" in blocks_text(records[1])
    finally:
        hooks.before = lambda: None
        front.working_delay = delay


def test_when_lex_fails_the_local_runtime_answers(caplog: Any) -> None:
    # Given a bot configured for Amazon Lex, whose Lex endpoint (the sandbox's moto) has no Lex runtime
    from bot.sandbox import Sandbox

    with Sandbox(
        scale=0,
        working_delay=5.0,
        traffic=False,
        start_follower=False,
        settings_overrides={"lex_bot_id": "BOTID12345", "lex_bot_alias_id": "ALIAS12345"},
    ) as box:
        assert box.chatops.gate.understander.lex is not None
        posts = turn(box, lambda: box.driver.message("U0ALICE", "are my endpoints healthy"))
    # Then the user still gets the answer, and the log says why, with the request id
    assert len(posts) == 1 and "fraud-detector-prod" in blocks_text(posts[0])
    warnings = [r for r in caplog.records if "lex failed" in r.getMessage()]
    assert warnings and warnings[0].request_id.startswith("r-")


def test_aws_throttling_and_access_denied_get_a_clear_answer(sandbox: Any) -> None:
    from botocore.stub import Stubber

    sm = sandbox.chatops.deps.aws.sagemaker
    # Given no answer kept from an earlier test's identical question (they share one read
    # for a few seconds; a failure is never kept, so the second one reads afresh too)
    sandbox.chatops.gate.runner.shared.clear()
    for code, words in (
        ("ThrottlingException", "AWS is throttling requests"),
        ("AccessDeniedException", "not allowed to call ListEndpoints (access denied)"),
    ):
        with Stubber(sm) as stub:
            stub.add_client_error("list_endpoints", code, "no", 400)
            posts = turn(
                sandbox, lambda: sandbox.driver.message("U0ALICE", "are my endpoints healthy")
            )
        text = blocks_text(posts[0])
        assert words in text and "request r-" in text


def test_requester_only_answers_are_ephemeral(sandbox: Any) -> None:
    # A guardrail refusal: only the asker sees it, nothing lands in the channel
    posts = say(sandbox, "train xgboost on s3://someone-elses-bucket/train.csv", user="U0BOB")
    assert [(p.kind, p.user) for p in posts] == [("ephemeral", "U0BOB")]
    assert "CHATOPS_ALLOWED_BUCKETS" in blocks_text(posts[0])
    # A usage error of /ml: answered privately through the command's response URL
    posts = turn(sandbox, lambda: sandbox.driver.command("U0BOB", "frobnicate now"))
    assert [p.kind for p in posts] == ["ephemeral"] and "/ml help" in blocks_text(posts[0])
    # A question about something that does not exist is for the asker too
    posts = say(sandbox, "is endpoint ghost-endpoint-42 healthy?", user="U0BOB")
    assert [p.kind for p in posts] == ["ephemeral"]


def test_the_home_tab_shows_pending_cards_follows_and_schedules(sandbox: Any) -> None:
    from tests.conftest import click, turn

    # Given a pending card of alice's, a job the bot follows, and a schedule in its channel
    say(sandbox, "delete endpoint recsys-staging")
    say(sandbox, "train xgboost on s3://acme-ml-data/churn/train.csv")
    click(sandbox, "Approve")
    say(sandbox, "post the budget report every day at 8am")
    click(sandbox, "Approve")
    # When alice opens the app's Home tab
    start = len(sandbox.slack.records)
    turn(sandbox, lambda: sandbox.driver.open_home("U0ALICE"))
    homes = [r for r in sandbox.slack.records[start:] if r.kind == "home"]
    # Then views.publish showed her home: her card, the job followed, the schedule
    assert len(homes) == 1 and homes[0].user == "U0ALICE"
    shown = json.dumps(homes[0].blocks)
    assert "Delete endpoint recsys-staging" in shown
    assert "xgboost-" in shown and "(training)" in shown
    assert "The budget report in" in shown and "every day at 08:00 UTC" in shown
    # Bob has no pending card of his own
    turn(sandbox, lambda: sandbox.driver.open_home("U0BOB"))
    bob = [r for r in sandbox.slack.records if r.kind == "home" and r.user == "U0BOB"][-1]
    assert "Delete endpoint recsys-staging" not in json.dumps(bob.blocks)
    assert "Nothing waiting" in json.dumps(bob.blocks)
    for plan in sandbox.chatops.state.recent_plans(requester="U0ALICE", state="pending"):
        sandbox.chatops.state.decide(plan.id, state="cancelled", by="U0ALICE")
