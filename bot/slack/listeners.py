"""Bolt listeners: acknowledge, then hand the request to the work queue, or say "busy".

The app runs with ``process_before_response=True``: each listener runs on the thread
that answers Slack, does only what it must before the ack is sent (read the payload,
offer it to the queue) and returns. The work itself (Lex, AWS, posting) happens on
the queue's workers. When the queue is full, the asker is told, on a lane of its own,
that the bot is busy; nothing else waits for a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext

from bot.gate.guard import CLARIFY
from bot.render.cards import APPROVE, CANCEL
from bot.slack.front import SlackFront
from bot.slack.inbound import InThread, from_action, from_clarify, from_command, from_event
from bot.slack.work import WorkQueue

log = logging.getLogger(__name__)
T = TypeVar("T")


def register(
    app: App,
    front: SlackFront,
    *,
    work: WorkQueue,
    busy: WorkQueue,
    bot_channels: frozenset[str],
    in_thread: InThread,
) -> None:
    """*work* answers requests; *busy* tells askers the bot is busy when *work* is full."""

    def take(
        read: Callable[[], T | None], answer: Callable[[T], None], refuse: Callable[[T], None]
    ) -> None:
        """After the ack: read the payload, offer it to the queue, or tell the asker "busy".
        A failure here is logged; Slack already has its ack, so it never sees a 500."""
        try:
            item = read()
            if item is not None and not work.submit(answer, item):
                busy.submit(refuse, item)  # when even this lane is full, the request is dropped
        except Exception:
            log.exception("could not hand a Slack request over after acknowledging it")

    def on_event(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        take(
            lambda: from_event(
                body,
                bot_user_id=context.bot_user_id or "",
                bot_id=context.bot_id or "",
                bot_channels=bot_channels,
                in_thread=in_thread,
            ),
            front.message,
            front.busy,
        )

    def on_command(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        take(lambda: from_command(body), front.message, front.busy)

    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        take(lambda: from_action(body), front.click, front.busy_click)

    def on_clarify(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        take(lambda: from_clarify(body), front.message, front.busy)

    app.event("message")(on_event)
    app.event("app_mention")(on_event)
    app.command("/ml")(on_command)
    app.action(APPROVE)(on_click)
    app.action(CANCEL)(on_click)
    app.action(CLARIFY)(on_clarify)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error in a listener: %s", type(error).__name__, exc_info=error)
