"""The plain-text ``text`` of every post is what a phone shows in a notification: people as
@name, no raw *bold*, _italic_ or `code` markers, no mention that pings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.sandbox import Sandbox
from tests.conftest import click, command, say

MARKUP = [
    (re.compile(r"<@|&lt;@"), "a raw mention"),
    (re.compile(r"@U[A-Z0-9]{3,}"), "a user id instead of a name"),
    (re.compile(r"(?<![\w*])\*[^*\s][^*]*\*(?![\w*])"), "*bold*"),
    (re.compile(r"(?<![\w_])_[^_\s][^_]*_(?![\w_])"), "_italic_"),
    (re.compile(r"`"), "`code`"),
]


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(scale=0, working_delay=5.0, traffic=False, start_follower=False)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _every_kind_of_post(box: Sandbox) -> list[Any]:
    posts: list[Any] = []
    posts += say(box, "are my endpoints healthy")
    posts += say(box, "train xgboost on s3://acme-ml-data/churn/train.csv")
    posts += click(box, "Approve")
    posts += say(box, "delete endpoint fraud-detector-prod")
    posts += click(box, "Approve", user="U0BOB")  # only alice or carol may
    posts += click(box, "Approve")  # needs a second person
    posts += click(box, "Cancel")
    posts += say(box, "how is training going")
    posts += command(box, "jobs")
    posts += command(box, "help")
    posts += command(box, "stop")  # a usage message
    posts += say(box, "show the audit log")
    posts += say(box, "are we over budget")
    posts += say(box, "what's sitting idle")
    posts += say(box, "blah blah")
    posts += say(box, "sentiment of 'I *love* this'")
    posts += say(box, "what's in s3://acme-ml-data/images/cat.jpg")
    posts += say(box, "deploy model nope-not-a-model")
    posts += say(box, "post the cost report every monday at 9am")
    posts += click(box, "Approve")
    posts += [r for r in box.slack.records if r.kind == "post" and r.thread_ts]
    return posts


def test_every_posts_notification_text_is_plain(box: Sandbox) -> None:
    posts = _every_kind_of_post(box)
    assert len(posts) > 20
    for record in posts:
        for pattern, what in MARKUP:
            assert not pattern.search(record.text), f"{what} in {record.text!r}"
    # People are named as Slack shows them
    texts = "\n".join(r.text for r in posts)
    assert "Only @alice or @carol can approve" in texts
