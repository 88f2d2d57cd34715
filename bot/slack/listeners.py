"""Bolt listeners: acknowledge at once, then hand the payload to the Slack front in a lazy listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.gate.guard import CLARIFY
from bot.render.cards import APPROVE, CANCEL
from bot.slack.front import SlackFront
from bot.slack.inbound import InThread, from_action, from_clarify, from_command, from_event

log = logging.getLogger(__name__)


def register(
    app: App, front: SlackFront, *, bot_channels: frozenset[str], in_thread: InThread
) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def on_event(body: dict[str, Any], context: BoltContext) -> None:
        inbound = from_event(
            body,
            bot_user_id=context.bot_user_id or "",
            bot_id=context.bot_id or "",
            bot_channels=bot_channels,
            in_thread=in_thread,
        )
        if inbound is not None:
            front.message(inbound)

    def on_command(body: dict[str, Any]) -> None:
        inbound = from_command(body)
        if inbound is not None:
            front.message(inbound)

    def on_click(body: dict[str, Any]) -> None:
        decision = from_action(body)
        if decision is not None:
            front.click(decision)

    def on_clarify(body: dict[str, Any]) -> None:
        inbound = from_clarify(body)
        if inbound is not None:
            front.message(inbound)

    def on_home(body: dict[str, Any]) -> None:
        event = body.get("event")
        if not isinstance(event, dict):
            return
        user, tab = event.get("user"), event.get("tab", "home")
        if isinstance(user, str) and user and tab == "home":
            front.home(user)

    app.event("message")(ack=ack_now, lazy=[on_event])
    app.event("app_home_opened")(ack=ack_now, lazy=[on_home])
    app.event("app_mention")(ack=ack_now, lazy=[on_event])
    app.command("/ml")(ack=ack_now, lazy=[on_command])
    app.action(APPROVE)(ack=ack_now, lazy=[on_click])
    app.action(CANCEL)(ack=ack_now, lazy=[on_click])
    app.action(CLARIFY)(ack=ack_now, lazy=[on_clarify])

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error in a listener: %s", type(error).__name__, exc_info=error)
