"""The Slack outbox against the local Slack stand-in: rate limits and server errors are
retried, and a post marked with a key can be found again after a restart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.sandbox.slack_api import SlackStandIn
from bot.slack.outbox import SlackOutbox
from intents.reply import Reply, md


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    stand_in = SlackStandIn("xoxb-outbox").start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def outbox(slack: SlackStandIn) -> SlackOutbox:
    return SlackOutbox(WebClient(token="xoxb-outbox", base_url=slack.url))


def test_a_rate_limited_post_is_retried_after_retry_after(slack: Any, outbox: SlackOutbox) -> None:
    slack.failures["chat.postMessage"] = [(429, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
    ts = outbox.post("C1", Reply.text(md("hello")))
    assert ts is not None and [r.text for r in slack.posts()] == ["hello"]
    assert [m for m, _ in slack.calls].count("chat.postMessage") == 1  # the stand-in answered once


def test_a_server_error_is_retried(slack: Any, outbox: SlackOutbox) -> None:
    slack.failures["chat.postMessage"] = [(503, {})]
    assert outbox.post("C1", Reply.text(md("hello"))) is not None
    assert len(slack.posts()) == 1


def test_a_post_that_still_fails_is_logged_with_its_request_id_and_not_raised(
    slack: Any, outbox: SlackOutbox, caplog: Any
) -> None:
    slack.failures["chat.postMessage"] = [(500, {})] * 5
    assert outbox.post("C1", Reply.text(md("hello"))) is None
    assert slack.posts() == []
    assert any("chat_postMessage failed" in r.getMessage() for r in caplog.records)


def test_a_keyed_post_is_found_again_in_its_thread(slack: Any, outbox: SlackOutbox) -> None:
    parent = outbox.post("C1", Reply.text(md("card")))
    assert outbox.posted("C1", parent, "follow:training:job-1:Completed") is None
    ts = outbox.post(
        "C1", Reply.text(md("done")), thread_ts=parent, key="follow:training:job-1:Completed"
    )
    outbox.post(
        "C1", Reply.text(md("other")), thread_ts=parent, key="follow:training:job-1:Training"
    )
    assert outbox.posted("C1", parent, "follow:training:job-1:Completed") == ts
    assert outbox.posted("C2", parent, "follow:training:job-1:Completed") is None
    top = outbox.post("C1", Reply.text(md("top")), key="schedule:cost:202611300900")
    assert outbox.posted("C1", None, "schedule:cost:202611300900") == top
