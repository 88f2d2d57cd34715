"""The state handlers see keeps report schedules in step with a timetable: the timetable
first, so a schedule AWS refuses is not recorded, and one it removed is forgotten."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bot.timetable import Planned, Reconciled, Timetabled, schedule_id
from intents.errors import AwsProblem
from intents.state import Schedule


class Recording:
    def __init__(self, *, refuse: bool = False) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.refuse = refuse

    def put(self, schedule: Planned) -> None:
        self.calls.append(("put", schedule))
        if self.refuse:
            raise AwsProblem("EventBridge Scheduler would not create the schedule (Nope).")

    def remove(self, ids: Sequence[str]) -> None:
        self.calls.append(("remove", list(ids)))
        if self.refuse:
            raise AwsProblem("EventBridge Scheduler would not delete the schedule (Nope).")

    def reconcile(self, schedules: Sequence[Schedule]) -> Reconciled:
        return Reconciled()


def _put(state: Any) -> Schedule:
    made: Schedule = state.put_schedule(
        team="T1",
        channel="C1",
        report="cost",
        frequency="weekly",
        time_of_day="17:00",
        day="friday",
        created_by="U1",
    )
    return made


def test_the_timetable_hears_of_a_schedule_before_the_state_records_it(state: Any) -> None:
    timetable = Recording()
    made = _put(Timetabled(state, timetable))
    planned = Planned(schedule_id("C1", "cost"), "weekly", "17:00", "friday")
    assert timetable.calls == [("put", planned)]
    assert made.id == planned.id and state.schedule(made.id) == made
    assert Timetabled(state, timetable).delete_schedules([made.id]) == 1
    assert timetable.calls[-1] == ("remove", [made.id]) and state.schedules() == []


def test_what_the_timetable_refuses_the_state_does_not_record(state: Any) -> None:
    kept = _put(state)
    refusing = Timetabled(state, Recording(refuse=True))
    with pytest.raises(AwsProblem):
        refusing.put_schedule(
            team="T1",
            channel="C1",
            report="cost",
            frequency="daily",
            time_of_day="08:00",
            day=None,
            created_by="U2",
        )
    with pytest.raises(AwsProblem):
        refusing.delete_schedules([kept.id])
    assert state.schedules() == [kept]  # still the schedule that still fires


def test_everything_else_is_the_states(state: Any) -> None:
    handler_state = Timetabled(state, Recording())
    assert handler_state.follow(
        "training", "j1", channel="C1", thread_ts="1.0", request_id="r", interval=5
    )
    assert [f.name for f in handler_state.thread_follows("C1", "1.0")] == ["j1"]
    assert handler_state.audit_entries() == state.audit_entries()
