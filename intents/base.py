"""The contract between the dispatcher and the intent handlers.

A handler is a plain function ``(Request, Deps) -> Reply`` registered on its
area's :class:`Router`. A mutating intent's handler returns a :class:`Proposal`
instead; its executor (registered with :meth:`Router.executor`) runs only after
the proposal was approved. The decorators attach typed metadata and return the
function unchanged, so handlers stay testable as plain functions.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from intents.reply import Proposal, Reply

if TYPE_CHECKING:
    from bot.deps import Deps

Source = Literal["message", "mention", "dm", "command", "thread", "action", "schedule"]
AREAS = ("training", "endpoints", "ai", "cost", "reports", "meta")


@dataclass(frozen=True)
class SlackFile:
    id: str
    name: str
    mimetype: str
    size: int
    url_private: str = ""


@dataclass(frozen=True)
class Request:
    """One understood request, whichever way it came in."""

    id: str
    intent: str
    slots: Mapping[str, str]
    user: str
    channel: str
    team: str = ""
    thread_ts: str | None = None
    text: str = ""
    files: tuple[SlackFile, ...] = ()
    source: Source = "message"
    # A stable identity of the Slack delivery (team/channel/ts or trigger id):
    # a retried delivery of the same message gets the same key.
    origin_key: str = ""
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def slot(self, name: str) -> str | None:
        value = self.slots.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Approved:
    """A proposal someone approved: what the executor runs."""

    plan_id: str
    intent: str
    params: Mapping[str, Any]
    requester: str
    approver: str
    channel: str
    thread_ts: str | None
    request_id: str
    origin_key: str


# --------------------------------------------------------------------------- errors


def unquote(text: str) -> str:
    """A value as written, without the quotes or backticks around it."""
    value = text.strip().strip("`").strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1].strip()
    return value


class UserError(Exception):
    """An error whose message is safe and useful to show in the channel."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or type(self).hint

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidInput(UserError):
    pass


class NotFound(UserError):
    pass


class Refused(UserError):
    """A guardrail or a permission said no."""


class NotAvailable(UserError):
    """The service or call is not available here (e.g. in the offline sandbox)."""


class AwsProblem(UserError):
    """AWS said no for a reason the user can act on (throttling, access denied)."""


# --------------------------------------------------------------------------- registry

Handler = Callable[["Request", "Deps"], "Reply | Proposal"]
Executor = Callable[["Approved", "Deps"], Reply]


@dataclass(frozen=True)
class Progress:
    """A followed job's state, as a follower reports it."""

    status: str  # what changed is posted when this string changes
    terminal: bool = False
    reply: Reply | None = None  # posted in the thread when status changes


Follower = Callable[[str, "Deps"], Progress]


@dataclass(frozen=True)
class IntentSpec:
    name: str
    area: str
    handler: Handler
    help: str
    example: str
    mutating: bool = False
    # Settings the handler cannot work without (names of Settings fields).
    requires: tuple[str, ...] = ()


class Router:
    """Collects one area's intents; :func:`intents.registry` gathers all routers."""

    def __init__(self, area: str) -> None:
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r}")
        self.area = area
        self.specs: dict[str, IntentSpec] = {}
        self.executors: dict[str, Executor] = {}
        self.followers: dict[str, Follower] = {}

    def intent(
        self,
        name: str,
        *,
        example: str,
        mutating: bool = False,
        requires: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            doc = inspect.getdoc(fn) or name
            self.specs[name] = IntentSpec(
                name=name,
                area=self.area,
                handler=fn,
                help=doc.split("\n\n")[0].replace("\n", " "),
                example=example,
                mutating=mutating,
                requires=requires,
            )
            return fn

        return register

    def executor(self, name: str) -> Callable[[Executor], Executor]:
        def register(fn: Executor) -> Executor:
            self.executors[name] = fn
            return fn

        return register

    def follower(self, kind: str) -> Callable[[Follower], Follower]:
        def register(fn: Follower) -> Follower:
            self.followers[kind] = fn
            return fn

        return register


@dataclass(frozen=True)
class Registry:
    specs: Mapping[str, IntentSpec]
    executors: Mapping[str, Executor]
    followers: Mapping[str, Follower]

    @staticmethod
    def of(*routers: Router) -> Registry:
        specs: dict[str, IntentSpec] = {}
        executors: dict[str, Executor] = {}
        followers: dict[str, Follower] = {}
        for router in routers:
            for name in router.specs:
                if name in specs:
                    raise ValueError(f"intent {name} registered twice")
            specs.update(router.specs)
            executors.update(router.executors)
            followers.update(router.followers)
        for name, spec in specs.items():
            if spec.mutating and name not in executors:
                raise ValueError(f"mutating intent {name} has no executor")
        return Registry(specs, executors, followers)

    def by_area(self) -> dict[str, list[IntentSpec]]:
        grouped: dict[str, list[IntentSpec]] = {area: [] for area in AREAS}
        for spec in self.specs.values():
            grouped[spec.area].append(spec)
        return {area: specs for area, specs in grouped.items() if specs}
