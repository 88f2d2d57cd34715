"""The state a handler may touch, as small protocols, and the records they return.

Handlers start jobs that the bot then follows, keep a channel's report
schedules, and read the audit log. The application's state backend
(``bot.state``) implements these along with what only the gate needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Follow:
    """A job or resource the bot posts status changes of, in a thread."""

    kind: str
    name: str
    channel: str
    thread_ts: str | None
    request_id: str
    last_status: str
    interval: float
    next_check_at: float
    started_at: float
    # The key of a status post decided but not yet known to be made (see bot.follow).
    posting: str | None = None


@dataclass(frozen=True)
class Schedule:
    """A report posted to a channel on a schedule (one per report and channel)."""

    id: str
    team: str
    channel: str
    report: str
    frequency: str  # hourly | daily | weekly
    time: str  # HH:MM (hourly uses the minutes)
    day: str | None  # weekly only
    created_by: str
    created_at: float


@dataclass(frozen=True)
class AuditEntry:
    at: float
    request_id: str
    user: str
    channel: str
    intent: str
    slots: dict[str, str]
    outcome: str
    detail: str


class JobFollows(Protocol):
    def follow(
        self,
        kind: str,
        name: str,
        *,
        channel: str,
        thread_ts: str | None,
        request_id: str,
        interval: float,
        now: float | None = None,
    ) -> bool:
        """Start following *name*; False when it is already followed (a follow that
        finished starts over)."""
        ...


@dataclass(frozen=True)
class Subject:
    """A resource a thread is about: one the bot follows there, or answered about there."""

    kind: str  # a follow kind ("training", "endpoint", "glue"...) or "model"
    name: str


class ThreadTopics(Protocol):
    def thread_follows(self, channel: str, thread_ts: str) -> list[Follow]:
        """The jobs and resources followed in a thread, most recent first: what the thread
        is about, so "stop it" or "how is it doing" there has a subject."""
        ...

    def note_subject(
        self, channel: str, thread_ts: str, kind: str, name: str, *, now: float | None = None
    ) -> None:
        """The bot answered about *name* in this thread (a job's detail, say): the thread
        is about it too, though nothing is followed."""
        ...

    def thread_subjects(self, channel: str, thread_ts: str) -> list[Subject]:
        """Everything the thread is about, followed or answered about, most recent first,
        each resource once."""
        ...


class ScheduleBook(Protocol):
    def put_schedule(
        self,
        *,
        team: str,
        channel: str,
        report: str,
        frequency: str,
        time_of_day: str,
        day: str | None,
        created_by: str,
        now: float | None = None,
    ) -> Schedule:
        """Create or replace the channel's schedule for *report*."""
        ...

    def schedule(self, schedule_id: str) -> Schedule | None: ...

    def schedules(self, channel: str | None = None) -> list[Schedule]: ...

    def delete_schedules(self, ids: list[str]) -> int: ...


class AuditReader(Protocol):
    def audit_entries(
        self, limit: int = 20, *, channel: str | None = None, user: str | None = None
    ) -> list[AuditEntry]:
        """The most recent entries first, of one channel and/or one person when given."""
        ...


class HandlerState(JobFollows, ThreadTopics, ScheduleBook, AuditReader, Protocol):
    """Everything a handler may do with the bot's state."""
