"""Bolt listeners: acknowledge, then hand the request over: to the work queue (or say
"busy"), or on AWS Lambda to a lazy listener.

The app runs with ``process_before_response=True``: each listener runs on the thread
that answers Slack, does only what it must before the ack is sent (read the payload,
keep it in the inbox, offer it to the queue) and returns. The work itself (Lex, AWS,
posting) happens on the queue's workers. When the queue is full, the asker is told, on
a lane of its own, that the bot is busy; nothing else waits for a worker. A request
kept in the inbox and not answered (the process died) is answered by another process
(bot.slack.inbox). On AWS Lambda there is no queue: Bolt runs the work in a lazy
listener, an invocation of the function of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext

from bot.gate.guard import CLARIFY
from bot.gate.types import Decision
from bot.logs import new_request_id, request_context
from bot.render.cards import APPROVE, CANCEL
from bot.slack.front import SlackFront
from bot.slack.inbound import (
    Inbound,
    InThread,
    from_action,
    from_clarify,
    from_command,
    from_event,
)
from bot.slack.inbox import Inbox, Route
from bot.slack.work import WorkQueue

log = logging.getLogger(__name__)
T = TypeVar("T")


def register(
    app: App,
    front: SlackFront,
    *,
    work: WorkQueue | None,
    busy: WorkQueue | None,
    bot_channels: frozenset[str],
    in_thread: InThread,
    inbox: Inbox | None = None,
) -> None:
    """*work* answers requests; *busy* tells askers the bot is busy when *work* is full;
    *inbox* keeps each request until it is answered. Without *work* (AWS Lambda), each
    request is answered in a lazy listener, and kept nowhere: Lambda retries an
    asynchronous invocation that failed by itself."""

    def event(body: dict[str, Any], context: BoltContext) -> Any:
        return from_event(
            body,
            bot_user_id=context.bot_user_id or "",
            bot_id=context.bot_id or "",
            bot_channels=bot_channels,
            in_thread=in_thread,
        )

    def home(body: dict[str, Any], context: BoltContext) -> str | None:
        """Someone opened the app's Home tab: whose it is (other tabs are none of ours)."""
        event = body.get("event")
        if not isinstance(event, dict) or event.get("tab", "home") != "home":
            return None
        user = event.get("user")
        return user if isinstance(user, str) and user else None

    message = Route(
        "on_event", "event", event, front.message, _delivery, front.busy, front.could_not
    )
    click = Route(
        "on_click",
        "click",
        lambda b, _: from_action(b),
        front.click,
        _click_key,
        front.busy_click,
        front.could_not_click,
    )
    routes: list[tuple[Callable[..., Any], Route[Any]]] = [
        (app.event("message"), message),
        (app.event("app_mention"), message),
        # no "busy" for a view, and nobody to tell when it fails: the tab is opened again
        (app.event("app_home_opened"), Route("on_home", "home", home, front.home, _home_key)),
        (
            app.command("/ml"),
            Route(
                "on_command",
                "command",
                lambda b, _: from_command(b),
                front.message,
                _delivery,
                front.busy,
                front.could_not,
            ),
        ),
        (app.action(APPROVE), click),
        (app.action(CANCEL), click),
        (
            app.action(CLARIFY),
            Route(
                "on_clarify",
                "clarify",
                lambda b, _: from_clarify(b),
                front.message,
                _delivery,
                front.busy,
                front.could_not,
            ),
        ),
    ]
    for listen, route in routes:
        if work is None:  # AWS Lambda: no inbox (see above)
            listen(ack=_ack_now, lazy=[_lazy(route)])
        else:
            if inbox is not None:
                inbox.add(route)
            listen(_queued(route, work, busy, inbox))

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error in a listener: %s", type(error).__name__, exc_info=error)


def _ack_now(ack: Ack) -> None:
    ack()


def _delivery(inbound: Inbound, _body: Mapping[str, Any]) -> str:
    return inbound.message.delivery_key


def _click_key(decision: Decision, body: Mapping[str, Any]) -> str | None:
    """A click's delivery: Slack's action_ts (or the trigger id) is the same in a retry."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    stamp = (action.get("action_ts") if isinstance(action, Mapping) else None) or body.get(
        "trigger_id"
    )
    if not isinstance(stamp, str) or not stamp:
        return None
    return f"click:{decision.team}:{decision.channel}:{decision.user}:{stamp}"


def _home_key(_user: str, body: Mapping[str, Any]) -> str | None:
    event_id = body.get("event_id")
    return f"home:{event_id}" if isinstance(event_id, str) and event_id else None


def _queued(
    route: Route[T], work: WorkQueue, busy: WorkQueue | None, inbox: Inbox | None
) -> Callable[[Ack, dict[str, Any], BoltContext], None]:
    def listener(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Ack; read the payload; keep it in the inbox (a retry of one kept before stops
        here); offer it to the queue, or tell the asker "busy". A failure here is logged;
        Slack already has its ack, so it never sees a 500. A request kept and then lost
        (this process dies, the "busy" lane is full) is taken on again from the inbox."""
        ack()
        try:
            item = route.read(body, context)
            if item is None:
                return
            if inbox is None:
                if work.submit(lambda i: route.answer(i, False), item):
                    return
                if route.refuse is not None and busy is not None:
                    busy.submit(route.refuse, item)
                return
            fresh, key = inbox.receive(route, item, body, context)
            if not fresh:
                log.info("ignoring a repeated delivery of %s", key)
                return
            if work.submit(inbox.run, route, item, key):
                return
            if route.refuse is not None and busy is not None:
                busy.submit(inbox.refuse, route, item, key)  # when this lane is full, dropped
        except Exception:
            log.exception("could not hand a Slack request over after acknowledging it")

    return listener


def _lazy(route: Route[T]) -> Callable[[dict[str, Any], BoltContext], None]:
    def listener(body: dict[str, Any], context: BoltContext) -> None:
        item = route.read(body, context)
        if item is None:
            return
        try:
            route.answer(item, False)
        except Exception:  # Bolt would swallow it: the asker would hear nothing
            request_id = new_request_id()
            with request_context(request_id):
                log.exception("could not answer a request in a lazy listener")
                if route.fail is not None:
                    route.fail(item, request_id)

    listener.__name__ = listener.__qualname__ = route.name
    return listener
