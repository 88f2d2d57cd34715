"""The app factory: settings → dependencies → dispatcher → Bolt app.

Listeners only acknowledge (well inside Slack's 3 seconds) and hand the work to
lazy listeners, which run after the ack on Bolt's executor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.deps import AwsClients, Deps
from bot.dispatch import APPROVE, CANCEL, Click, Dispatcher
from bot.inbound import from_command, from_event
from bot.settings import Settings
from bot.slack_out import SlackOut
from bot.store import Store
from intents import registry as build_registry
from lex.commands import CommandParser
from lex.local import LocalLexRuntime
from lex.runtime import LexRouter

log = logging.getLogger(__name__)


@dataclass
class ChatOps:
    """A running assistant: the Bolt app and what it was built from."""

    app: App
    deps: Deps
    dispatcher: Dispatcher
    follower: Any  # bot.follow.Follower
    scheduler: Any  # bot.scheduler.ReportScheduler

    def close(self) -> None:
        self.follower.stop()
        self.scheduler.stop()
        self.deps.store.close()


def build_deps(
    settings: Settings,
    *,
    aws: AwsClients | None = None,
    store: Store | None = None,
    clock: Callable[[], float] | None = None,
    sandbox: bool = False,
) -> Deps:
    aws = aws or AwsClients(settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    return Deps(
        settings=settings,
        aws=aws,
        store=store or Store(settings.state_db),
        registry=build_registry(),
        sandbox=sandbox,
        **kwargs,
    )


def build_router(settings: Settings, deps: Deps, local: LocalLexRuntime | None = None) -> LexRouter:
    local = local or LocalLexRuntime()
    lex = deps.aws.client("lexv2-runtime") if settings.uses_aws_lex else None
    return LexRouter(
        local,
        lex=lex,
        bot_id=settings.lex_bot_id or "local",
        alias_id=settings.lex_bot_alias_id or "local",
        locale_id=settings.lex_locale_id,
    )


def create(
    settings: Settings,
    *,
    deps: Deps | None = None,
    client: WebClient | None = None,
    router: LexRouter | None = None,
    executor: Executor | None = None,
    working_delay: float = 1.0,
    start_follower: bool = True,
) -> ChatOps:
    """Build the whole assistant. Slack token and signing secret must be set."""
    from bot.follow import Follower
    from bot.scheduler import ReportScheduler

    settings.require("slack_bot_token", "slack_signing_secret")
    token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
    deps = deps or build_deps(settings)
    if deps.fetch_file is None:
        from dataclasses import replace
        from urllib.parse import urlparse

        from bot.slack_files import SlackFiles

        local = (
            {urlparse(settings.slack_api_url).hostname or ""} if settings.slack_api_url else set()
        )
        deps = replace(deps, fetch_file=SlackFiles(token, extra_hosts=local - {""}))
    client = client or WebClient(token=token, base_url=settings.slack_api_url or WebClient.BASE_URL)
    router = router or build_router(settings, deps)
    out = SlackOut(client)
    follower = Follower(deps, out)
    schedulers: list[ReportScheduler] = []

    def changed() -> None:  # something new to follow, or a schedule added or removed
        follower.wake()
        for scheduler in schedulers:
            scheduler.sync()

    dispatcher = Dispatcher(
        deps,
        router,
        CommandParser(router.local.definition, router.local.nlu),
        out,
        working_delay=working_delay,
        on_change=changed,
    )
    scheduler = ReportScheduler(dispatcher)
    schedulers.append(scheduler)
    app = App(
        signing_secret=settings.slack_signing_secret.get_secret_value(),  # type: ignore[union-attr]
        client=client,
        process_before_response=False,
        listener_executor=executor,
    )
    register_listeners(app, dispatcher, settings)
    if start_follower:
        follower.start()
        scheduler.start()
    return ChatOps(
        app=app, deps=deps, dispatcher=dispatcher, follower=follower, scheduler=scheduler
    )


def register_listeners(app: App, dispatcher: Dispatcher, settings: Settings) -> None:
    bot_channels = frozenset(settings.bot_channels)
    store = dispatcher.deps.store

    def ack_now(ack: Ack) -> None:
        ack()

    def on_event(body: dict[str, Any], context: BoltContext) -> None:
        inbound = from_event(
            body,
            bot_user_id=context.bot_user_id or "",
            bot_id=context.bot_id or "",
            bot_channels=bot_channels,
            in_thread=store.in_thread,
        )
        if inbound is not None:
            dispatcher.handle_inbound(inbound)

    def on_command(body: dict[str, Any]) -> None:
        inbound = from_command(body)
        if inbound is not None:
            dispatcher.handle_inbound(inbound)

    def on_click(body: dict[str, Any]) -> None:
        actions = body.get("actions") or [{}]
        action = actions[0] if isinstance(actions[0], dict) else {}
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id", "")
        if not user or not channel:
            return
        dispatcher.handle_click(
            Click(
                action_id=str(action.get("action_id", "")),
                value=str(action.get("value", ""))[:200],
                user=user,
                team=(body.get("team") or {}).get("id", ""),
                channel=channel,
                message_ts=(body.get("container") or {}).get("message_ts"),
            )
        )

    app.event("message")(ack=ack_now, lazy=[on_event])
    app.event("app_mention")(ack=ack_now, lazy=[on_event])
    app.command("/ml")(ack=ack_now, lazy=[on_command])
    app.action(APPROVE)(ack=ack_now, lazy=[on_click])
    app.action(CANCEL)(ack=ack_now, lazy=[on_click])

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error in a listener: %s", type(error).__name__, exc_info=error)
