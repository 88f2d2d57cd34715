"""Bolt listeners: acknowledge, then hand the request over: to the work queue (or say
"busy"), or on AWS Lambda to a lazy listener.

The app runs with ``process_before_response=True``: each listener runs on the thread
that answers Slack, does only what it must before the ack is sent (read the payload,
offer it to the queue) and returns. The work itself (Lex, AWS, posting) happens on
the queue's workers. When the queue is full, the asker is told, on a lane of its own,
that the bot is busy; nothing else waits for a worker. On AWS Lambda there is no queue:
Bolt runs the work in a lazy listener, an invocation of the function of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, App, BoltContext

from bot.gate.guard import CLARIFY
from bot.render.cards import APPROVE, CANCEL
from bot.slack.front import SlackFront
from bot.slack.inbound import InThread, from_action, from_clarify, from_command, from_event
from bot.slack.work import WorkQueue

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class _Route(Generic[T]):
    """What a kind of request is read into, who answers it, and who says "busy". Its name
    names the lazy listener on AWS Lambda (Bolt finds it by name in the new invocation)."""

    name: str
    read: Callable[[dict[str, Any], BoltContext], T | None]
    answer: Callable[[T], None]
    refuse: Callable[[T], None] | None = None


def register(
    app: App,
    front: SlackFront,
    *,
    work: WorkQueue | None,
    busy: WorkQueue | None,
    bot_channels: frozenset[str],
    in_thread: InThread,
) -> None:
    """*work* answers requests; *busy* tells askers the bot is busy when *work* is full.
    Without *work* (AWS Lambda), each request is answered in a lazy listener."""

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

    message = _Route("on_event", event, front.message, front.busy)
    routes: list[tuple[Callable[..., Any], _Route[Any]]] = [
        (app.event("message"), message),
        (app.event("app_mention"), message),
        (app.event("app_home_opened"), _Route("on_home", home, front.home)),  # no "busy" for a view
        (
            app.command("/ml"),
            _Route("on_command", lambda b, _: from_command(b), front.message, front.busy),
        ),
        (
            app.action(APPROVE),
            _Route("on_click", lambda b, _: from_action(b), front.click, front.busy_click),
        ),
        (
            app.action(CANCEL),
            _Route("on_click", lambda b, _: from_action(b), front.click, front.busy_click),
        ),
        (
            app.action(CLARIFY),
            _Route("on_clarify", lambda b, _: from_clarify(b), front.message, front.busy),
        ),
    ]
    for listen, route in routes:
        if work is None:
            listen(ack=_ack_now, lazy=[_lazy(route)])
        else:
            listen(_queued(route, work, busy))

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error in a listener: %s", type(error).__name__, exc_info=error)


def _ack_now(ack: Ack) -> None:
    ack()


def _queued(
    route: _Route[T], work: WorkQueue, busy: WorkQueue | None
) -> Callable[[Ack, dict[str, Any], BoltContext], None]:
    def listener(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Ack; read the payload; offer it to the queue, or tell the asker "busy". A failure
        here is logged; Slack already has its ack, so it never sees a 500."""
        ack()
        try:
            item = route.read(body, context)
            if item is None or work.submit(route.answer, item):
                return
            if route.refuse is not None and busy is not None:
                busy.submit(route.refuse, item)  # when even this lane is full, it is dropped
        except Exception:
            log.exception("could not hand a Slack request over after acknowledging it")

    return listener


def _lazy(route: _Route[T]) -> Callable[[dict[str, Any], BoltContext], None]:
    def listener(body: dict[str, Any], context: BoltContext) -> None:
        item = route.read(body, context)
        if item is not None:
            route.answer(item)

    listener.__name__ = listener.__qualname__ = route.name
    return listener
