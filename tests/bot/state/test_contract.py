"""The state contract: what every backend of :class:`bot.state.State` must do.

Each test runs against every backend in ``BACKENDS``; a new backend adds itself
there and must pass all of them unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.state import State


def _sqlite(tmp_path: Path) -> Callable[[], State]:
    from bot.state.sqlite import SqliteState

    return lambda: SqliteState(tmp_path / "state.db")


BACKENDS: dict[str, Callable[[Path], Callable[[], State]]] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def opener(request: Any, tmp_path: Path) -> Iterator[Callable[[], State]]:
    """Opens the backend; a second call is a restarted process on the same state."""
    opened: list[State] = []

    def open_() -> State:
        opened.append(BACKENDS[request.param](tmp_path)())
        return opened[-1]

    yield open_
    for state in opened:
        state.close()


@pytest.fixture
def state(opener: Callable[[], State]) -> State:
    return opener()


def _plan(
    state: State,
    origin: str = "msg:T:C:1",
    *,
    now: float = 1000.0,
    user: str = "U1",
    intent: str = "StartTraining",
    channel: str = "C",
) -> str:
    return state.add_plan(
        plan_id=f"p-{origin}-{intent}",
        intent=intent,
        params={"a": 1, "b": ["x"]},
        requester=user,
        team="T",
        channel=channel,
        thread_ts="1",
        request_id="r-1",
        origin_key=origin,
        title="Train",
        ttl_seconds=900,
        card={"summary": "s"},
        now=now,
    ).id


# ---------------------------------------------------------------------------- deliveries


def test_a_delivery_is_first_only_once_even_after_a_restart(opener: Callable[[], State]) -> None:
    state = opener()
    assert state.first_delivery("k1") and not state.first_delivery("k1")
    assert state.first_delivery("k2")
    assert not opener().first_delivery("k1")


def test_of_many_concurrent_deliveries_one_is_first(state: State) -> None:
    firsts: list[bool] = []
    threads = [
        threading.Thread(target=lambda: firsts.append(state.first_delivery("k"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert firsts.count(True) == 1


# ---------------------------------------------------------------------------- threads


def test_threads_the_bot_joined(opener: Callable[[], State]) -> None:
    state = opener()
    state.join_thread("C", "1.0")
    state.join_thread("C", "1.0")
    assert state.in_thread("C", "1.0") and not state.in_thread("C", "2.0")
    assert not state.in_thread("D", "1.0")
    assert opener().in_thread("C", "1.0")


# ---------------------------------------------------------------------------- plans


def test_a_plan_round_trips(state: State) -> None:
    plan_id = _plan(state)
    plan = state.plan(plan_id)
    assert plan is not None
    assert (plan.state, plan.params, plan.card, plan.requester) == (
        "pending",
        {"a": 1, "b": ["x"]},
        {"summary": "s"},
        "U1",
    )
    assert plan.expires_at == 1900.0 and plan.card_ts is None
    state.set_card(plan_id, "9.9")
    assert state.plan(plan_id).card_ts == "9.9"  # type: ignore[union-attr]
    assert state.plan("nope") is None


def test_one_plan_per_delivery_and_intent(state: State) -> None:
    first = _plan(state)
    assert _plan(state) == first
    assert state.plan_by_origin("msg:T:C:1", "StartTraining").id == first  # type: ignore[union-attr]
    assert state.plan_by_origin("msg:T:C:1", "StopTraining") is None


def test_pending_plans_per_channel_and_thread(state: State) -> None:
    first = _plan(state, "o1", now=1000.0)
    second = _plan(state, "o2", now=1001.0, intent="DeleteEndpoint")
    elsewhere = _plan(state, "o3", now=1002.0, channel="D")
    assert [p.id for p in state.pending_plans("C")] == [second, first]
    assert [p.id for p in state.pending_plans("C", "1")] == [second, first]  # asked in thread "1"
    assert state.pending_plans("C", "9.9") == []
    state.set_card(first, "9.9")  # a card that starts its own thread (a slash command's)
    assert [p.id for p in state.pending_plans("C", "9.9")] == [first]
    assert state.decide(second, state="cancelled", by="U1", now=1003.0)
    assert [p.id for p in state.pending_plans("C")] == [first]
    assert [p.id for p in state.pending_plans("D")] == [elsewhere]


def test_recent_plans_of_a_person_or_in_a_state(state: State) -> None:
    first = _plan(state, "o1", now=1000.0)
    second = _plan(state, "o2", now=1001.0, user="U2", channel="D")
    third = _plan(state, "o3", now=1002.0, intent="DeleteEndpoint")
    assert state.decide(third, state="cancelled", by="U1", now=1003.0)
    assert [p.id for p in state.recent_plans()] == [third, second, first]
    assert [p.id for p in state.recent_plans(requester="U1")] == [third, first]
    assert [p.id for p in state.recent_plans(requester="U1", state="pending")] == [first]
    assert [p.id for p in state.recent_plans(limit=1)] == [third]


def test_only_one_of_many_concurrent_decisions_wins(state: State) -> None:
    plan_id = _plan(state)
    wins: list[bool] = []

    def decide(who: str) -> None:
        wins.append(state.decide(plan_id, state="approved", by=who, now=1001.0))

    threads = [threading.Thread(target=decide, args=(f"U{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1
    plan = state.plan(plan_id)
    assert plan is not None and plan.state == "approved" and plan.decided_at == 1001.0
    assert not state.decide(plan_id, state="cancelled", by="U1", now=1002.0)


def test_an_expired_plan_cannot_be_decided_and_expires_once(state: State) -> None:
    plan_id = _plan(state, now=1000.0)
    assert not state.decide(plan_id, state="approved", by="U1", now=1901.0)
    assert not state.expire(plan_id, now=1500.0)  # not yet
    assert state.expire(plan_id, now=1901.0) and not state.expire(plan_id, now=1902.0)
    assert state.plan(plan_id).state == "expired"  # type: ignore[union-attr]


def test_finishing_a_plan_records_its_outcome(opener: Callable[[], State]) -> None:
    state = opener()
    plan_id = _plan(state)
    state.decide(plan_id, state="approved", by="U2", now=1001.0)
    state.finish_plan(plan_id, state="done", outcome="Started job x")
    plan = opener().plan(plan_id)
    assert plan is not None and (plan.state, plan.outcome, plan.decided_by) == (
        "done",
        "Started job x",
        "U2",
    )


# ---------------------------------------------------------------------------- follows


def test_follows_survive_a_restart_and_come_due(opener: Callable[[], State]) -> None:
    state = opener()
    assert state.follow(
        "training", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    assert not state.follow(
        "training", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    assert state.follow(
        "endpoint", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    state.update_follow(
        "training", "job-1", status="Starting", interval=10, next_check_at=110, done=False
    )
    state.update_follow(
        "endpoint", "job-1", status="InService", interval=10, next_check_at=105, done=True
    )
    again = opener()
    assert again.due_follows(105) == []
    due = again.due_follows(111)
    assert [(f.kind, f.name, f.last_status) for f in due] == [("training", "job-1", "Starting")]
    assert [f.kind for f in again.active_follows()] == ["training"]
    assert again.next_follow_at() == 110


def test_due_follows_come_soonest_first(state: State) -> None:
    for name, at in (("b", 30.0), ("a", 10.0), ("c", 20.0)):
        state.follow(
            "training", name, channel="C", thread_ts=None, request_id="r", interval=1, now=0
        )
        state.update_follow("training", name, status="", interval=1, next_check_at=at, done=False)
    assert [f.name for f in state.due_follows(100)] == ["a", "c", "b"]
    assert state.next_follow_at() == 10.0


def test_what_a_thread_is_about(state: State) -> None:
    state.follow(
        "training", "job-1", channel="C", thread_ts="1.0", request_id="r", interval=1, now=10
    )
    state.follow(
        "endpoint", "ep-1", channel="C", thread_ts="1.0", request_id="r", interval=1, now=20
    )
    state.follow(
        "training", "job-2", channel="C", thread_ts="2.0", request_id="r", interval=1, now=30
    )
    state.update_follow(
        "training", "job-1", status="Completed", interval=1, next_check_at=40, done=True
    )
    assert [(f.kind, f.name) for f in state.thread_follows("C", "1.0")] == [
        ("endpoint", "ep-1"),
        ("training", "job-1"),
    ]
    assert state.thread_follows("D", "1.0") == []


def test_nothing_followed(state: State) -> None:
    assert (
        state.next_follow_at() is None
        and state.active_follows() == []
        and state.due_follows() == []
    )


# ---------------------------------------------------------------------------- schedules


def test_one_schedule_per_report_and_channel(opener: Callable[[], State]) -> None:
    state = opener()
    revision = state.schedule_revision
    first = state.put_schedule(
        team="T",
        channel="C",
        report="cost",
        frequency="daily",
        time_of_day="09:00",
        day=None,
        created_by="U1",
        now=1.0,
    )
    again = state.put_schedule(
        team="T",
        channel="C",
        report="cost",
        frequency="weekly",
        time_of_day="10:30",
        day="monday",
        created_by="U2",
        now=2.0,
    )
    state.put_schedule(
        team="T",
        channel="D",
        report="cost",
        frequency="hourly",
        time_of_day="00:15",
        day=None,
        created_by="U1",
        now=3.0,
    )
    assert first.id == again.id and state.schedule_revision > revision
    mine = opener().schedules("C")
    assert [(s.report, s.frequency, s.time, s.day, s.created_by) for s in mine] == [
        ("cost", "weekly", "10:30", "monday", "U2")
    ]
    assert len(state.schedules()) == 2
    assert state.schedule(first.id) == mine[0]


def test_deleting_schedules(state: State) -> None:
    ids = [
        state.put_schedule(
            team="T",
            channel="C",
            report=r,
            frequency="daily",
            time_of_day="09:00",
            day=None,
            created_by="U1",
        ).id
        for r in ("cost", "budget")
    ]
    revision = state.schedule_revision
    assert state.delete_schedules([ids[0], "nope"]) == 1
    assert [s.report for s in state.schedules("C")] == [
        "budget"
    ] and state.schedule_revision > revision
    assert state.schedule(ids[0]) is None


# ---------------------------------------------------------------------------- audit


def test_the_audit_log_is_most_recent_first_per_channel(opener: Callable[[], State]) -> None:
    state = opener()
    for i, channel in enumerate(("C", "D", "C")):
        state.audit(
            request_id=f"r-{i}",
            user="U1",
            channel=channel,
            intent="Help",
            slots={"topic": str(i)},
            outcome="answered",
            detail="x" * 600,
        )
    entries = opener().audit_entries(10, channel="C")
    assert [e.request_id for e in entries] == ["r-2", "r-0"]
    assert entries[0].slots == {"topic": "2"} and len(entries[0].detail) <= 500
    assert [e.request_id for e in state.audit_entries(2)] == ["r-2", "r-1"]
    state.audit(request_id="r-3", user="U2", channel="C", intent="Help", slots={}, outcome="denied")
    assert [e.request_id for e in state.audit_entries(10, user="U2")] == ["r-3"]
    assert [e.request_id for e in state.audit_entries(10, channel="D", user="U1")] == ["r-1"]


def test_what_a_thread_is_about_also_counts_what_the_bot_answered_about(state: State) -> None:
    from intents.state import Subject

    state.follow(
        "training", "job-1", channel="C", thread_ts="1.0", request_id="r", interval=1, now=10
    )
    state.note_subject("C", "1.0", "labeling", "labels-1", now=20)
    state.note_subject("C", "2.0", "endpoint", "ep-9", now=25)
    assert state.thread_subjects("C", "1.0") == [
        Subject("labeling", "labels-1"),
        Subject("training", "job-1"),
    ]
    # Answering about the job again makes it the most recent subject, listed once
    state.note_subject("C", "1.0", "training", "job-1", now=30)
    assert state.thread_subjects("C", "1.0") == [
        Subject("training", "job-1"),
        Subject("labeling", "labels-1"),
    ]
    assert state.thread_subjects("D", "1.0") == []


def test_a_finished_follow_starts_over_when_followed_again(state: State) -> None:
    assert state.follow(
        "glue", "prep", channel="C", thread_ts="1.0", request_id="r1", interval=1, now=10
    )
    # Followed already: not twice
    assert not state.follow(
        "glue", "prep", channel="C", thread_ts="2.0", request_id="r2", interval=1, now=11
    )
    state.update_follow("glue", "prep", status="SUCCEEDED", interval=1, next_check_at=20, done=True)
    # A new run of the same job is followed again, in its own thread, from the start
    assert state.follow(
        "glue", "prep", channel="C", thread_ts="3.0", request_id="r3", interval=2, now=30
    )
    (again,) = state.active_follows()
    assert (again.thread_ts, again.request_id, again.last_status, again.next_check_at) == (
        "3.0",
        "r3",
        "",
        30,
    )
