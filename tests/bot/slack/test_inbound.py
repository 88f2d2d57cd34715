"""Slack payloads -> Inbound / Decision, on the recorded payloads of tests/events/."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.gate.types import Decision
from bot.slack.inbound import Inbound, from_action, from_command, from_event
from intents.base import Attachment
from tests.conftest import event_payload

BOT = "U0BOT"
BOT_CHANNEL = "C0MLOPS"


def _in(body: dict[str, Any], threads: frozenset[tuple[str, str]] = frozenset()) -> Inbound | None:
    return from_event(
        body,
        bot_user_id=BOT,
        bot_id="B0BOT",
        bot_channels={BOT_CHANNEL},
        in_thread=lambda c, t: (c, t) in threads,
    )


def _with(name: str, **event: Any) -> dict[str, Any]:
    """A recorded payload with some of its event's fields changed (None removes one)."""
    body = copy.deepcopy(event_payload(name))
    for key, value in event.items():
        if value is None:
            body["event"].pop(key, None)
        else:
            body["event"][key] = value
    return body


def test_channel_message_in_a_bot_channel_is_addressed_and_answered_in_its_thread() -> None:
    body = event_payload("message")
    ts = body["event"]["ts"]
    inbound = _in(body)
    assert inbound is not None
    message = inbound.message
    assert (message.source, message.addressed) == ("message", True)
    assert (message.team, message.channel, message.user) == ("T0SANDBOX", BOT_CHANNEL, "U0ALICE")
    assert message.text == "are my endpoints healthy?"
    assert message.thread_ts == ts and inbound.message_ts == ts
    assert message.delivery_key == f"msg:T0SANDBOX:{BOT_CHANNEL}:{ts}"
    assert message.files == ()


def test_the_same_message_in_another_channel_is_not_for_the_bot() -> None:
    assert _in(_with("message", channel="C0GENERAL")) is None


def test_app_mention_strips_the_mention() -> None:
    body = event_payload("app_mention")
    inbound = from_event(body, bot_user_id=BOT, bot_channels=set())
    assert inbound is not None
    message = inbound.message
    assert (message.source, message.addressed) == ("mention", True)
    assert message.channel == "C0GENERAL" and message.user == "U0ALICE"
    assert message.text == "are my endpoints healthy?" and inbound.raw_text == message.text
    assert message.thread_ts == body["event"]["ts"]


def test_a_message_that_mentions_the_bot_waits_for_the_app_mention_event() -> None:
    # Slack sends the same words as a message event and as an app_mention event.
    mention = event_payload("app_mention")["event"]
    twin = _with("message", text=mention["text"], channel=mention["channel"], ts=mention["ts"])
    assert _in(twin) is None
    assert _in(_with("message", text=f"<@{BOT}> help")) is None  # even in the bot's channel


def test_dm_is_addressed() -> None:
    body = event_payload("message_im")
    assert body["event"]["channel_type"] == "im"
    inbound = _in(body)
    assert inbound is not None
    message = inbound.message
    assert (message.source, message.addressed) == ("dm", True)
    assert message.channel == "D0ALICE" and message.text == "help"
    assert message.thread_ts == body["event"]["ts"]


def test_thread_reply_is_heard_only_in_a_thread_the_bot_is_in() -> None:
    body = event_payload("thread_reply")
    event = body["event"]
    thread = (event["channel"], event["thread_ts"])
    assert event["channel"] != BOT_CHANNEL
    # Not in the thread: people talking among themselves
    assert _in(body) is None
    assert _in(body, frozenset({(event["channel"], event["ts"])})) is None  # keyed by thread_ts
    # In the thread (it answered the mention that started it): heard, but not addressed
    inbound = _in(body, frozenset({thread}))
    assert inbound is not None
    message = inbound.message
    assert (message.source, message.addressed) == ("thread", False)
    assert message.user == "U0BOB" and message.text == "and how is training going?"
    assert message.thread_ts == event["thread_ts"] and inbound.message_ts == event["ts"]


def test_thread_reply_in_a_bot_channel_is_addressed_without_asking_the_state() -> None:
    def never(channel: str, thread_ts: str) -> bool:
        raise AssertionError("a bot channel's threads are always heard")

    body = _with("thread_reply", channel=BOT_CHANNEL)
    inbound = from_event(body, bot_user_id=BOT, bot_channels={BOT_CHANNEL}, in_thread=never)
    assert inbound is not None
    assert (inbound.message.source, inbound.message.addressed) == ("thread", True)
    assert inbound.message.thread_ts == body["event"]["thread_ts"]


def test_slash_command_keeps_its_response_url() -> None:
    form = event_payload("slash_command")
    inbound = from_command(form)
    assert inbound is not None
    message = inbound.message
    assert (message.source, message.addressed) == ("command", True)
    assert (message.team, message.channel, message.user) == ("T0SANDBOX", BOT_CHANNEL, "U0ALICE")
    assert message.text == "endpoints fraud-detector-prod"
    assert message.thread_ts is None  # a command's answer goes in the channel
    assert message.delivery_key == f"cmd:T0SANDBOX:{form['trigger_id']}"
    assert inbound.response_url == form["response_url"]
    assert inbound.command == "/ml" and inbound.raw_text == "endpoints fraud-detector-prod"


def test_slash_command_without_a_channel_or_user_is_ignored() -> None:
    form = event_payload("slash_command")
    assert from_command({k: v for k, v in form.items() if k != "channel_id"}) is None
    assert from_command({k: v for k, v in form.items() if k != "user_id"}) is None


def test_block_actions_approve_click_is_a_decision_on_the_plan() -> None:
    payload = event_payload("block_actions")
    plan_id = payload["actions"][0]["value"]
    assert from_action(payload) == Decision(
        plan_id=plan_id,
        approve=True,
        user="U0ALICE",
        team="T0SANDBOX",
        channel=BOT_CHANNEL,
        user_team="T0SANDBOX",
    )


def test_a_slack_connect_guest_is_known_by_their_own_workspace() -> None:
    # Given a message and a click from someone whose workspace is not the app's
    body = event_payload("message")
    body["event"]["user_team"] = "T0PARTNER"
    inbound = from_event(body, bot_user_id=BOT, bot_channels={BOT_CHANNEL})
    assert inbound is not None and inbound.message.user_team == "T0PARTNER"
    assert inbound.message.team == "T0SANDBOX"
    click = event_payload("block_actions")
    click["user"]["team_id"] = "T0PARTNER"
    decision = from_action(click)
    assert decision is not None and decision.user_team == "T0PARTNER"


def test_block_actions_cancel_and_foreign_buttons() -> None:
    payload = copy.deepcopy(event_payload("block_actions"))
    payload["actions"][0]["action_id"] = "plan_cancel"
    decision = from_action(payload)
    assert decision is not None and decision.approve is False
    payload["actions"][0]["action_id"] = "some_other_button"
    assert from_action(payload) is None
    payload["actions"] = []
    assert from_action(payload) is None


@pytest.mark.parametrize("name", ["message_changed", "message_deleted", "bot_message"])
def test_edits_deletions_and_other_bots_are_ignored(name: str) -> None:
    body = event_payload(name)
    assert body["event"]["channel"] == BOT_CHANNEL  # where anything a person says is answered
    assert _in(body) is None


def test_bots_are_ignored_without_a_subtype_too() -> None:
    # Apps post with a bot token: no bot_message subtype, but a bot_id (and the bot's user id).
    other_app = _with("bot_message", subtype=None, user="U0ALERTS")
    assert _in(other_app) is None
    own_echo = _with("bot_message", subtype=None, user=BOT, bot_id="B0BOT")
    assert _in(own_echo) is None


def test_file_share_carries_the_attachments() -> None:
    body = event_payload("file_share")
    shared = body["event"]["files"][0]
    inbound = _in(body)
    assert inbound is not None
    assert inbound.message.source == "message" and inbound.message.text == "what's in this picture?"
    assert inbound.message.files == (
        Attachment(
            id=shared["id"],
            name="cat.jpg",
            mimetype="image/jpeg",
            size=48213,
            url=shared["url_private_download"],
        ),
    )


def test_other_subtypes_and_malformed_events_are_ignored() -> None:
    assert _in(_with("message", subtype="channel_join")) is None
    assert _in(_with("message", user=BOT)) is None
    assert _in(_with("message", user=None)) is None
    assert _in(_with("message", ts=None)) is None
    assert _in({"event": "nonsense"}) is None
