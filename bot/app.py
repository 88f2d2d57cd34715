"""The composition root: settings -> state, clients, registry -> gate -> Slack front -> Bolt app.

Listeners only acknowledge (well inside Slack's 3 seconds) and hand the work to a
bounded work queue (bot.slack.work) whose workers answer after the ack; when it is
full, the asker is told the bot is busy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from urllib.parse import urlparse

from slack_bolt import App
from slack_sdk import WebClient

from bot.follow import Follower
from bot.gate import Gate
from bot.gate.access import Access
from bot.gate.guard import Guard
from bot.gate.types import Message
from bot.policy import load_policy
from bot.recovery import recover
from bot.scheduler import ReportScheduler
from bot.settings import Settings, env_name
from bot.slack import listeners
from bot.slack.bolt import SafeApp
from bot.slack.files import SlackFiles
from bot.slack.front import SlackFront
from bot.slack.inbox import Inbox
from bot.slack.outbox import SlackOutbox
from bot.slack.work import WorkQueue
from bot.state import State, open_state
from bot.timetable import InProcess, Timetable, Timetabled
from intents import registry as build_registry
from intents.clients import AwsClients
from intents.deps import Deps
from intents.names import NameResolver
from intents.registry import Registry
from lex.commands import CommandParser
from lex.local import LocalLexRuntime
from lex.runtime import LexRouter, session_id

log = logging.getLogger(__name__)
# The lane of "busy" answers: two threads, and this many answers waiting to be sent; beyond
# that (Slack itself would be rate limiting them by then), a refused request gets none.
BUSY_WORKERS, BUSY_WAITING = 2, 500


@dataclass
class ChatOps:
    """A running assistant: the Bolt app and what it was built from."""

    app: App
    deps: Deps
    state: State
    gate: Gate
    front: SlackFront
    follower: Follower
    scheduler: ReportScheduler
    work: WorkQueue | None  # None on AWS Lambda: each request's work is an invocation
    busy: WorkQueue | None
    # Where report schedules fire from (in-process APScheduler unless create() was given one).
    timetable: Timetable | None = None
    # Requests acknowledged and not yet answered (None on AWS Lambda).
    inbox: Inbox | None = None

    def close(self) -> None:
        for queue in (self.work, self.busy):
            if queue is not None:  # what Slack was told we took is answered before state closes
                queue.close()
        if self.inbox is not None:
            self.inbox.stop()
        self.follower.stop()
        self.scheduler.stop()
        self.state.close()


def open_state_for(settings: Settings, aws: AwsClients) -> State:
    """The state backend the settings choose (SQLite by default, DynamoDB for replicas)."""
    table = settings.dynamodb_table
    return open_state(settings.state_db, dynamodb=aws.dynamodb if table else None, table=table)


def build_deps(
    settings: Settings,
    state: State,
    *,
    aws: AwsClients | None = None,
    registry: Registry | None = None,
    clock: Callable[[], float] | None = None,
    sandbox: bool = False,
) -> Deps:
    aws = aws or AwsClients(settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    deps = Deps(
        settings=settings,
        aws=aws,
        state=state,
        registry=registry or build_registry(),
        sandbox=sandbox,
    )
    return replace(deps, clock=clock) if clock else deps


def build_router(
    settings: Settings, aws: AwsClients, local: LocalLexRuntime | None = None
) -> LexRouter:
    local = local or LocalLexRuntime(names=NameResolver(aws))
    lex = aws.lex_runtime if settings.uses_aws_lex else None
    return LexRouter(
        local,
        lex=lex,
        bot_id=settings.lex_bot_id or "local",
        alias_id=settings.lex_bot_alias_id or "local",
        locale_id=settings.lex_locale_id,
    )


def build_guard(router: LexRouter, state: State) -> Guard:
    """The check every understanding passes (bot.gate.guard), with the runtime's names."""

    def reset(message: Message) -> None:
        router.reset(session_id(message.team, message.channel, message.user, message.thread_ts))

    return Guard(
        router.local.definition,
        local=router.local.nlu,
        names=router.local.nlu.names,
        topics=state,
        reset=reset,
    )


def create(
    settings: Settings,
    *,
    deps: Deps | None = None,
    state: State | None = None,
    client: WebClient | None = None,
    router: LexRouter | None = None,
    executor: Executor | None = None,
    working_delay: float = 1.0,
    start_follower: bool = True,
    lazy_listeners: bool = False,
    settle: bool = True,
    timetable: Timetable | None = None,
) -> ChatOps:
    """Build the whole assistant. Slack token and signing secret must be set.

    With *deps*, its state must be *state* (the full backend handlers see a part of).
    On AWS Lambda (``bot.aws_lambda``): *lazy_listeners* (a function may be frozen once it
    has answered, so the work runs in Bolt's lazy listeners, invocations of their own),
    no *settle* at start (a periodic sweep settles instead, outside Slack's 3 seconds) and
    a *timetable* of EventBridge Scheduler schedules instead of the in-process one."""
    settings.require("slack_bot_token", "slack_signing_secret")
    # require() has just checked both; the assert tells mypy.
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    token = settings.slack_bot_token.get_secret_value()
    if state is None:
        aws = (
            deps.aws
            if deps
            else AwsClients(settings.aws_region, endpoint_url=settings.aws_endpoint_url)
        )
        state = open_state_for(settings, aws)
    deps = deps or build_deps(settings, state)
    policy = load_policy(
        settings.policy_file, approvers=settings.approvers, bot_channels=settings.bot_channels
    )
    access = Access(policy, deps.registry)
    deps = replace(deps, permissions=access)
    if timetable is not None:  # handlers' schedule writes go to the timetable too
        deps = replace(deps, state=Timetabled(deps.state, timetable))
    # A local stand-in for Slack (the sandbox) is trusted like Slack's own hosts.
    local = {urlparse(settings.slack_api_url).hostname or ""} if settings.slack_api_url else set()
    if deps.fetch_file is None:
        deps = replace(deps, fetch_file=SlackFiles(token, extra_hosts=local - {""}))

    client = client or WebClient(token=token, base_url=settings.slack_api_url or WebClient.BASE_URL)
    router = router or build_router(settings, deps.aws)
    outbox = SlackOutbox(client, local_hosts=frozenset(local - {""}))
    follower = Follower(
        deps,
        state,
        outbox,
        min_seconds=settings.follow_min_seconds,
        max_seconds=settings.follow_max_seconds,
    )
    schedulers: list[ReportScheduler] = []

    def changed() -> None:  # something new to follow, or a schedule added or removed
        follower.wake()
        for scheduler in schedulers:
            scheduler.sync()

    gate = Gate(
        deps,
        state,
        router,
        CommandParser(router.local.definition, router.local.nlu),
        outbox,
        access=access,
        ttl_seconds=settings.confirmation_ttl_minutes * 60,
        env_name=env_name,
        on_change=changed,
        guard=build_guard(router, state),
        shared_read_seconds=settings.shared_read_seconds,
    )
    scheduler = ReportScheduler(gate, state, outbox, clock=deps.clock)
    schedulers.append(scheduler)
    front = SlackFront(
        gate,
        state,
        outbox,
        working_delay=working_delay,
        on_change=changed,
        channels=frozenset(settings.bot_channels),
    )
    # Listeners run on the thread that acknowledges Slack and only hand work over, so Bolt
    # can answer as soon as they return. The work runs on the queue's workers (or on
    # *executor*, the sandbox's, which knows when all of it is done); on AWS Lambda, in
    # lazy listeners, each an invocation of its own.
    app = SafeApp(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=client,
        process_before_response=True,
    )
    work = busy = inbox = None
    if not lazy_listeners:
        work = WorkQueue(settings.workers, settings.queue_size, executor=executor, name="work")
        # "Busy" answers have a lane of their own, so they never wait behind the work.
        busy = WorkQueue(BUSY_WORKERS, BUSY_WAITING, name="busy")
        # What was acknowledged is kept until answered; a dead process's requests are
        # taken on again (at start, and every half minute, by any replica).
        inbox = Inbox(
            state, clock=deps.clock, owner=follower.owner, grace=settings.inbox_grace_seconds
        )
    listeners.register(
        app,
        front,
        work=work,
        busy=busy,
        bot_channels=frozenset(settings.bot_channels),
        in_thread=state.in_thread,
        inbox=inbox,
    )
    # Settle what a previous process left half-done before taking new work.
    if settle:
        recover(gate, state, outbox, follower, inbox)
    if start_follower:
        follower.start()
        scheduler.start()
        if inbox is not None:
            inbox.start()

    return ChatOps(
        app=app,
        deps=deps,
        state=state,
        gate=gate,
        front=front,
        follower=follower,
        scheduler=scheduler,
        work=work,
        busy=busy,
        timetable=timetable or InProcess(scheduler),
        inbox=inbox,
    )
