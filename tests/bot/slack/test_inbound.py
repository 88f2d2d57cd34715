from __future__ import annotations

import json

from bot.slack.inbound import from_command, from_event
from tests.conftest import EVENTS

BOT = "U0BOT"


def _event(**event: object) -> dict[str, object]:
    base = {
        "type": "message",
        "channel": "C0MLOPS",
        "user": "U0ALICE",
        "text": "help",
        "ts": "1700000000.000100",
        "channel_type": "channel",
    }
    base.update(event)
    return {"team_id": "T1", "event": base}


def _in(body: dict[str, object], threads: set[tuple[str, str]] = frozenset()) -> object:  # type: ignore[assignment]
    return from_event(
        body, bot_user_id=BOT, bot_channels={"C0MLOPS"}, in_thread=lambda c, t: (c, t) in threads
    )


def test_bot_channel_message_is_addressed_and_answered_in_its_thread() -> None:
    inbound = _in(_event())
    assert inbound.message.source == "message" and inbound.message.addressed
    assert inbound.message.thread_ts == "1700000000.000100"
    assert inbound.message.delivery_key == "msg:T1:C0MLOPS:1700000000.000100"


def test_recorded_app_mention_payload_strips_the_mention() -> None:
    body = json.loads((EVENTS / "app_mention.json").read_text())
    inbound = from_event(body, bot_user_id="U0BOT", bot_channels=set())
    assert (
        inbound.message.source == "mention" and inbound.message.text == "are my endpoints healthy?"
    )
    assert inbound.message.thread_ts == body["event"]["ts"]


def test_message_that_mentions_the_bot_waits_for_the_app_mention_event() -> None:
    assert _in(_event(channel="C0OTHER", text=f"<@{BOT}> help")) is None


def test_dm_is_addressed() -> None:
    inbound = _in(_event(channel="D1", channel_type="im"))
    assert inbound.message.source == "dm" and inbound.message.addressed


def test_ignored_messages() -> None:
    assert _in(_event(bot_id="B1")) is None
    assert _in(_event(user=BOT)) is None
    for subtype in ("message_changed", "message_deleted", "bot_message", "channel_join"):
        assert _in(_event(subtype=subtype)) is None
    assert _in(_event(channel="C0OTHER")) is None
    assert _in({"event": "nonsense"}) is None
    assert _in(_event(user=None)) is None


def test_thread_replies_are_heard_only_in_threads_the_bot_is_in() -> None:
    reply = _event(channel="C0OTHER", thread_ts="1.0", ts="2.0")
    assert _in(reply) is None
    inbound = _in(reply, {("C0OTHER", "1.0")})
    assert (
        inbound.message.source == "thread"
        and not inbound.message.addressed
        and inbound.message.thread_ts == "1.0"
    )


def test_file_share_carries_the_files() -> None:
    inbound = _in(
        _event(
            subtype="file_share",
            files=[{"id": "F1", "name": "cat.jpg", "mimetype": "image/jpeg", "size": 10}],
        )
    )
    assert inbound.message.files[0].name == "cat.jpg"


def test_slash_command() -> None:
    inbound = from_command(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "text": " jobs ",
            "trigger_id": "tr1",
            "command": "/ml",
            "response_url": "https://x",
        }
    )
    assert (
        inbound.message.text == "jobs"
        and inbound.message.source == "command"
        and inbound.message.thread_ts is None
    )
    assert from_command({"channel_id": "C1"}) is None
