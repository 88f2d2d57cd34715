"""Full stack on the recorded Slack payloads of tests/events/.

Each payload is signed like Slack signs it and dispatched through the sandbox's real
Bolt app. Timestamps, event ids and trigger ids are made fresh (each request is a new
delivery), and payloads recorded elsewhere are moved to the sandbox's bot channel.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.sandbox import CHANNEL
from tests.conftest import blocks_text, dispatch_signed, event_payload, turn

ACK_SECONDS = 3.0  # Slack gives up on a request that is not acknowledged within 3 seconds
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _event(box: Any, name: str, **changes: Any) -> dict[str, Any]:
    """A recorded Events API payload as a new delivery: fresh ts, event id and time."""
    body = copy.deepcopy(event_payload(name))
    ts = box.slack.new_ts()
    body["event"].update(ts=ts, event_ts=ts)
    body["event"].update(changes)
    body["event_id"] = "Ev" + uuid.uuid4().hex[:10].upper()
    body["event_time"] = int(time.time())
    return body


def _deliver(box: Any, *requests: tuple[str, str]) -> list[Any]:
    """Send (body, content type) requests in one turn; each must be acked with 200 in time.
    Returns what the bot posted, updated or showed as a result."""
    acks: list[tuple[int, float]] = []

    def send() -> None:
        for body, content_type in requests:
            start = time.perf_counter()
            response = dispatch_signed(box, body, content_type)
            acks.append((response.status, time.perf_counter() - start))

    posts = turn(box, send)
    assert [status for status, _ in acks] == [200] * len(requests)
    assert max(seconds for _, seconds in acks) < ACK_SECONDS
    return posts


def _json(body: dict[str, Any]) -> tuple[str, str]:
    return json.dumps(body), JSON


def test_channel_message_is_answered_once_in_its_thread(sandbox: Any) -> None:
    body = _event(sandbox, "message")
    posts = _deliver(sandbox, _json(body))
    assert len(posts) == 1
    assert (posts[0].kind, posts[0].channel) == ("post", CHANNEL)
    assert posts[0].thread_ts == body["event"]["ts"]
    assert "fraud-detector-prod" in blocks_text(posts[0])


def test_app_mention_and_its_message_event_get_one_answer(sandbox: Any) -> None:
    # A mention in a channel the bot is in comes twice: as a message and as an app_mention.
    mention = _event(sandbox, "app_mention", channel=CHANNEL)
    ts = mention["event"]["ts"]
    twin = _event(sandbox, "message", text=mention["event"]["text"], ts=ts, event_ts=ts)
    posts = _deliver(sandbox, _json(twin), _json(mention))
    assert len(posts) == 1
    assert (posts[0].channel, posts[0].thread_ts) == (CHANNEL, ts)
    assert "fraud-detector-prod" in blocks_text(posts[0])


def test_dm_is_answered_in_the_dm(sandbox: Any) -> None:
    body = _event(sandbox, "message_im")
    posts = _deliver(sandbox, _json(body))
    assert len(posts) == 1
    assert (posts[0].channel, posts[0].thread_ts) == ("D0ALICE", body["event"]["ts"])
    assert "SageMaker training and jobs" in blocks_text(posts[0])


def test_thread_reply_in_the_bot_channel_is_answered_in_the_thread(sandbox: Any) -> None:
    parent = _event(sandbox, "message")
    assert len(_deliver(sandbox, _json(parent))) == 1
    parent_ts = parent["event"]["ts"]
    reply = _event(sandbox, "thread_reply", channel=CHANNEL, thread_ts=parent_ts)
    posts = _deliver(sandbox, _json(reply))
    assert len(posts) == 1
    assert (posts[0].channel, posts[0].thread_ts) == (CHANNEL, parent_ts)
    assert "Latest training jobs" in blocks_text(posts[0])


def test_thread_reply_elsewhere_is_answered_once_the_bot_is_in_the_thread(sandbox: Any) -> None:
    # As recorded: a reply in #general, in a thread the bot has not taken part in
    stranger = _event(sandbox, "thread_reply")
    assert stranger["event"]["channel"] != CHANNEL
    assert _deliver(sandbox, _json(stranger)) == []
    # The bot answers a mention there, which makes the thread its own...
    mention = _event(sandbox, "app_mention")
    channel, parent_ts = mention["event"]["channel"], mention["event"]["ts"]
    assert [(p.channel, p.thread_ts) for p in _deliver(sandbox, _json(mention))] == [
        (channel, parent_ts)
    ]
    # ...so the same reply in that thread is answered, in the thread.
    reply = _event(sandbox, "thread_reply", thread_ts=parent_ts)
    posts = _deliver(sandbox, _json(reply))
    assert [(p.channel, p.thread_ts) for p in posts] == [(channel, parent_ts)]
    assert "Latest training jobs" in blocks_text(posts[0])


def test_slash_command_is_answered_once_in_the_channel(sandbox: Any) -> None:
    form = dict(
        event_payload("slash_command"),
        response_url=sandbox.slack.response_url(),
        trigger_id=uuid.uuid4().hex,
    )
    assert form["channel_id"] == CHANNEL
    posts = _deliver(sandbox, (urlencode(form), FORM))
    assert len(posts) == 1
    assert (posts[0].kind, posts[0].channel, posts[0].thread_ts) == ("post", CHANNEL, None)
    text = blocks_text(posts[0])
    assert "/ml endpoints fraud-detector-prod" in text and "Endpoint fraud-detector-prod" in text


def test_approve_click_runs_the_plan_and_updates_its_card(sandbox: Any) -> None:
    # Given the card the recorded click was made on: Alice asks to delete recsys-staging
    asked = _deliver(
        sandbox, _json(_event(sandbox, "message", text="delete endpoint recsys-staging"))
    )
    assert len(asked) == 1
    card = asked[0]
    plan_id = card.buttons()[0]["value"]
    # When the recorded block_actions payload clicks Approve on that card
    payload = copy.deepcopy(event_payload("block_actions"))
    payload["container"]["message_ts"] = card.ts
    payload["message"].update(ts=card.ts, text=card.text, blocks=card.blocks)
    payload["actions"][0]["value"] = plan_id
    payload.update(response_url=sandbox.slack.response_url(), trigger_id=uuid.uuid4().hex)
    posts = _deliver(sandbox, (urlencode({"payload": json.dumps(payload)}), FORM))
    # Then the card is updated in place, and the endpoint is gone
    assert posts and {(p.kind, p.channel, p.ts) for p in posts} == {("update", CHANNEL, card.ts)}
    final = blocks_text(posts[-1])
    assert "Approved by <@U0ALICE>" in final and "Deleted endpoint *recsys-staging*" in final
    endpoints = sandbox.chatops.deps.aws.sagemaker.list_endpoints()["Endpoints"]
    assert "recsys-staging" not in {e["EndpointName"] for e in endpoints}


def test_an_answered_message_edited_then_deleted_gets_no_more_answers(sandbox: Any) -> None:
    original = _event(sandbox, "message")
    ts = original["event"]["ts"]
    assert len(_deliver(sandbox, _json(original))) == 1
    edited = _event(sandbox, "message_changed")
    edited["event"]["message"]["ts"] = edited["event"]["previous_message"]["ts"] = ts
    deleted = _event(sandbox, "message_deleted", deleted_ts=ts)
    deleted["event"]["previous_message"]["ts"] = ts
    assert edited["event"]["channel"] == deleted["event"]["channel"] == CHANNEL
    assert _deliver(sandbox, _json(edited)) == []
    assert _deliver(sandbox, _json(deleted)) == []


@pytest.mark.parametrize("name", ["message_changed", "message_deleted", "bot_message"])
def test_edits_deletions_and_other_bots_get_no_answer(sandbox: Any, name: str) -> None:
    body = _event(sandbox, name)
    assert body["event"]["channel"] == CHANNEL
    assert _deliver(sandbox, _json(body)) == []


def test_what_a_bot_posts_is_answered_when_a_person_says_it(sandbox: Any) -> None:
    # The control for bot_message: the words alone would get an answer.
    words = event_payload("bot_message")["event"]["text"]
    assert len(_deliver(sandbox, _json(_event(sandbox, "message", text=words)))) == 1
