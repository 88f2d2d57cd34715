"""The bot's state behind one interface, so a second backend can be added without touching the gate.

What must survive a restart: deliveries already handled (a retried delivery does
nothing twice), threads the bot takes part in, confirmation plans (cards), jobs
being followed, report schedules and the audit log. Handlers see only their
part of it (:class:`intents.state.HandlerState`); the gate, the follower and the
scheduler use all of it. ``tests/bot/state/test_contract.py`` is the contract
every implementation passes.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from intents.state import AuditEntry, Follow, HandlerState


@dataclass(frozen=True)
class Plan:
    """A proposed change waiting for (or past) its approval: one confirmation card."""

    id: str
    intent: str
    params: dict[str, Any]
    requester: str
    team: str
    channel: str
    thread_ts: str | None
    card_ts: str | None
    request_id: str
    origin_key: str
    title: str
    card: dict[str, Any]
    created_at: float
    expires_at: float
    state: str  # pending | approved | cancelled | expired | done | failed
    decided_by: str | None
    decided_at: float | None
    outcome: str | None


class Deliveries(Protocol):
    def first_delivery(self, key: str, *, now: float | None = None) -> bool:
        """True the first time *key* is seen; a retried delivery gets False."""
        ...


@dataclass(frozen=True)
class Received:
    """A Slack request kept from before its acknowledgement until it is answered."""

    key: str
    kind: str  # which listener it is for: event | command | action | clarify
    body: dict[str, Any]
    received_at: float
    attempts: int  # how many times a process has taken it on


class Inbox(Protocol):
    """Requests acknowledged but not yet answered, so that a process dying in between
    loses none: another (or the next) takes them on."""

    def receive(self, key: str, kind: str, body: Mapping[str, Any], *, now: float) -> bool:
        """Keep *body* under *key*; False when the key was received before (a retry)."""
        ...

    def answered(self, key: str) -> None:
        """The request needs nothing more; its body is dropped."""
        ...

    def unanswered(self, *, before: float, limit: int = 50) -> list[Received]:
        """Requests received before *before* and not answered, oldest first."""
        ...

    def claim_received(self, key: str, *, owner: str, until: float, now: float) -> bool:
        """Take on an unanswered request until *until* (counting an attempt); False when
        another owner holds an unexpired claim or it was answered."""
        ...


class Threads(Protocol):
    def join_thread(self, channel: str, thread_ts: str) -> None: ...

    def in_thread(self, channel: str, thread_ts: str) -> bool: ...


class Plans(Protocol):
    def add_plan(
        self,
        *,
        plan_id: str,
        intent: str,
        params: Mapping[str, Any],
        requester: str,
        team: str,
        channel: str,
        thread_ts: str | None,
        request_id: str,
        origin_key: str,
        title: str,
        ttl_seconds: float,
        card: Mapping[str, Any] | None = None,
        now: float | None = None,
    ) -> Plan:
        """Store a pending plan; a second plan for the same delivery returns the first."""
        ...

    def set_card(self, plan_id: str, card_ts: str) -> None: ...

    def plan(self, plan_id: str) -> Plan | None: ...

    def plan_by_origin(self, origin_key: str, intent: str) -> Plan | None: ...

    def pending_plans(self, channel: str, thread_ts: str | None = None) -> list[Plan]:
        """Pending plans in a channel, newest first; with *thread_ts*, only the cards of that
        thread (asked in it, or whose card starts it)."""
        ...

    def decide(self, plan_id: str, *, state: str, by: str, now: float | None = None) -> bool:
        """Move a pending, unexpired plan to *state*; only one caller ever wins."""
        ...

    def expire(self, plan_id: str, *, now: float | None = None) -> bool: ...

    def finish_plan(self, plan_id: str, *, state: str, outcome: str) -> None: ...

    def unfinished_plans(self) -> list[Plan]:
        """Approved plans whose run never finished (the process stopped half-way)."""
        ...

    def cardless_plans(self, now: float) -> list[Plan]:
        """Pending, unexpired plans whose card was never recorded as posted."""
        ...


class FollowQueue(Protocol):
    """The follower's side of followed jobs (handlers only add them)."""

    def due_follows(self, now: float | None = None) -> list[Follow]:
        """Follows due for a check and not leased by anyone, soonest first."""
        ...

    def active_follows(self) -> list[Follow]: ...

    def next_follow_at(self) -> float | None: ...

    def update_follow(
        self,
        kind: str,
        name: str,
        *,
        status: str,
        interval: float,
        next_check_at: float,
        done: bool,
        posting: str | None = None,
    ) -> None:
        """Record a check and end its lease. *posting* is the key of the status post about
        to be made: it (and the lease) stay until :meth:`posted`, so a restart or another
        replica knows a post may be missing, once the lease has run out."""
        ...

    def posted(self, kind: str, name: str) -> None:
        """The status post recorded with update_follow(posting=...) is made; the lease ends."""
        ...

    def pending_posts(self) -> list[Follow]:
        """Follows whose last status post is not known to be made."""
        ...


class Coordination(Protocol):
    """What makes "exactly once" hold across processes (replicas, a restart): leases and
    one-time claims, each a single conditional write."""

    def claim_follow(self, kind: str, name: str, *, owner: str, until: float, now: float) -> bool:
        """Take the right to check a followed job until *until*; False when another owner
        holds an unexpired lease. A lease ends with update_follow() or at *until*."""
        ...

    def claim_plan(self, plan_id: str, *, owner: str, until: float, now: float) -> bool:
        """Take the right to run an approved plan until *until* (a crashed runner's lease
        expires, and another may resume it)."""
        ...

    def claim_fire(self, schedule_id: str, fire_key: str, *, now: float) -> bool:
        """True for the first of any number of callers that fire one schedule at one time."""
        ...

    def schedules_version(self) -> int:
        """Changes whenever a schedule is added, changed or removed (any process)."""
        ...


class AuditWriter(Protocol):
    def audit(
        self,
        *,
        request_id: str,
        user: str,
        channel: str,
        intent: str,
        slots: Mapping[str, str],
        outcome: str,
        detail: str = "",
    ) -> None: ...


class State(
    HandlerState,
    Deliveries,
    Inbox,
    Threads,
    Plans,
    FollowQueue,
    Coordination,
    AuditWriter,
    Protocol,
):
    """Everything the bot keeps."""

    def close(self) -> None: ...


def process_id() -> str:
    """This process, as the owner of a lease: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def open_state(path: Path | str, *, dynamodb: Any = None, table: str | None = None) -> State:
    """The configured backend: a DynamoDB *table* (with its *dynamodb* client), shared by
    replicas; otherwise one SQLite file at *path*, the default."""
    if table:
        from bot.state.dynamodb import DynamoState

        return DynamoState(dynamodb, table)
    from bot.state.sqlite import SqliteState

    return SqliteState(path)


__all__ = ["AuditEntry", "Follow", "Plan", "State", "open_state"]
