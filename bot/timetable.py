"""Where report schedules fire from, behind one small interface.

The state backend records which schedules exist; a timetable makes them fire:

- :class:`InProcess` (``chatops run``): APScheduler in the bot's own process
  (``bot.scheduler``). It mirrors the state's schedules by itself, at start, after every
  change and every ``SYNC_SECONDS``, so a write needs nothing more.
- ``bot.aws_lambda.schedules.EventBridgeTimetable`` (AWS Lambda, where no process stays
  up between requests): one EventBridge Scheduler schedule per report schedule, which
  invokes the function at each fire.

A timetable that fires from outside the process is told first, before the state is
written (:class:`Timetabled`): if AWS refuses, the state is unchanged and the user is
told why; if the state write fails after it, a schedule fires that the state does not
know (it posts nothing) until the next reconcile removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from intents.state import AuditEntry, Follow, HandlerState, Schedule, Subject

if TYPE_CHECKING:
    from bot.scheduler import ReportScheduler


def schedule_id(channel: str, report: str) -> str:
    """A schedule's id, as every state backend makes it: one schedule per report and channel."""
    return f"{channel}:{report}"


@dataclass(frozen=True)
class Planned:
    """A schedule about to be written: what a timetable needs to make it fire."""

    id: str
    frequency: str
    time: str
    day: str | None


@dataclass(frozen=True)
class Reconciled:
    created: int = 0
    updated: int = 0
    deleted: int = 0


class Timetable(Protocol):
    def put(self, schedule: Planned) -> None:
        """Make *schedule* fire (create it, or update it when it exists). Raises a
        UserError (safe to show) when it cannot."""
        ...

    def remove(self, ids: Sequence[str]) -> None:
        """Stop these schedules firing; ones that do not exist are fine."""
        ...

    def reconcile(self, schedules: Sequence[Schedule]) -> Reconciled:
        """Make what fires match *schedules* (the state's, all of them)."""
        ...


class InProcess:
    """APScheduler in this process; it reads the state itself, so writes need nothing."""

    def __init__(self, scheduler: ReportScheduler) -> None:
        self.scheduler = scheduler

    def put(self, schedule: Planned) -> None:
        return None

    def remove(self, ids: Sequence[str]) -> None:
        return None

    def reconcile(self, schedules: Sequence[Schedule]) -> Reconciled:
        self.scheduler.sync()
        return Reconciled()


class Timetabled:
    """The state handlers see, with report schedules kept in step with a timetable.

    Everything but the schedule writes goes straight to *state*."""

    def __init__(self, state: HandlerState, timetable: Timetable) -> None:
        self._state, self.timetable = state, timetable

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
        self.timetable.put(Planned(schedule_id(channel, report), frequency, time_of_day, day))
        return self._state.put_schedule(
            team=team,
            channel=channel,
            report=report,
            frequency=frequency,
            time_of_day=time_of_day,
            day=day,
            created_by=created_by,
            now=now,
        )

    def delete_schedules(self, ids: list[str]) -> int:
        self.timetable.remove(ids)
        return self._state.delete_schedules(ids)

    def schedule(self, schedule_id: str) -> Schedule | None:
        return self._state.schedule(schedule_id)

    def schedules(self, channel: str | None = None) -> list[Schedule]:
        return self._state.schedules(channel)

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
        return self._state.follow(
            kind,
            name,
            channel=channel,
            thread_ts=thread_ts,
            request_id=request_id,
            interval=interval,
            now=now,
        )

    def thread_follows(self, channel: str, thread_ts: str) -> list[Follow]:
        return self._state.thread_follows(channel, thread_ts)

    def note_subject(
        self, channel: str, thread_ts: str, kind: str, name: str, *, now: float | None = None
    ) -> None:
        self._state.note_subject(channel, thread_ts, kind, name, now=now)

    def thread_subjects(self, channel: str, thread_ts: str) -> list[Subject]:
        return self._state.thread_subjects(channel, thread_ts)

    def audit_entries(
        self, limit: int = 20, *, channel: str | None = None, user: str | None = None
    ) -> list[AuditEntry]:
        return self._state.audit_entries(limit, channel=channel, user=user)
