"""The state contract: what every backend of :class:`bot.state.State` must do.

Each test runs against every backend in ``BACKENDS``; a new backend adds itself
there and must pass all of them unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.state import State


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[Callable[[], State]]:
    from bot.state.sqlite import SqliteState

    yield lambda: SqliteState(tmp_path / "state.db")


@contextmanager
def _dynamodb(tmp_path: Path) -> Iterator[Callable[[], State]]:
    import boto3
    from moto import mock_aws

    from bot.sandbox.moto_ext import atomic_dynamodb
    from bot.state.dynamodb import DynamoState, create_table

    atomic_dynamodb()  # DynamoDB applies a conditional write atomically; moto needs telling
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "chatops-state")
        yield lambda: DynamoState(client, "chatops-state")  # type: ignore[arg-type]


BACKENDS: dict[str, Callable[[Path], AbstractContextManager[Callable[[], State]]]] = {
    "sqlite": _sqlite,
    "dynamodb": _dynamodb,
}


@pytest.fixture(params=sorted(BACKENDS))
def opener(request: Any, tmp_path: Path) -> Iterator[Callable[[], State]]:
    """Opens the backend; a second call is a restarted process (or another replica) on the
    same state."""
    opened: list[State] = []
    with BACKENDS[request.param](tmp_path) as make:

        def open_() -> State:
            opened.append(make())
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
    revision = state.schedules_version()
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
    assert first.id == again.id and state.schedules_version() > revision
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
    revision = state.schedules_version()
    assert state.delete_schedules([ids[0], "nope"]) == 1
    assert [s.report for s in state.schedules("C")] == [
        "budget"
    ] and state.schedules_version() > revision
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


# ---------------------------------------------------------------------------- coordination


def test_a_follow_is_leased_to_one_owner_until_its_lease_runs_out(state: State) -> None:
    state.follow(
        "training", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    assert state.claim_follow("training", "job-1", owner="a", until=160, now=100)
    assert state.claim_follow("training", "job-1", owner="a", until=170, now=101)  # renew
    assert not state.claim_follow("training", "job-1", owner="b", until=170, now=150)
    assert state.due_follows(150) == []  # leased: not due for anyone else
    assert state.claim_follow("training", "job-1", owner="b", until=240, now=171)  # a died
    # A check ends the lease; a post decided but not made keeps it until posted
    state.update_follow(
        "training", "job-1", status="x", interval=5, next_check_at=180, done=False, posting="k1"
    )
    assert not state.claim_follow("training", "job-1", owner="c", until=300, now=200)
    state.posted("training", "job-1")
    assert state.claim_follow("training", "job-1", owner="c", until=300, now=200)


def test_of_many_replicas_one_claims_a_follow(state: State) -> None:
    state.follow(
        "training", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    wins: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda o=o: wins.append(
                state.claim_follow("training", "job-1", owner=f"r{o}", until=200, now=100)
            )
        )
        for o in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1


def test_a_plan_run_is_leased(state: State) -> None:
    plan_id = _plan(state)
    state.decide(plan_id, state="approved", by="U1", now=1001.0)
    assert [p.id for p in state.unfinished_plans()] == [plan_id]
    assert state.claim_plan(plan_id, owner="a", until=1100, now=1001)
    assert not state.claim_plan(plan_id, owner="b", until=1200, now=1050)
    assert state.claim_plan(plan_id, owner="b", until=1200, now=1101)
    state.finish_plan(plan_id, state="done", outcome="ok")
    assert state.unfinished_plans() == []


def test_cardless_plans_are_pending_unexpired_and_without_a_card(state: State) -> None:
    first = _plan(state, "o1", now=1000.0)
    second = _plan(state, "o2", now=1000.0)
    state.set_card(second, "5.5")
    assert [p.id for p in state.cardless_plans(1100.0)] == [first]
    assert state.cardless_plans(2000.0) == []  # expired


def test_a_schedule_fires_once_whoever_fires_it(state: State) -> None:
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(state.claim_fire("C:cost", "202611300900", now=100.0))
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert state.claim_fire("C:cost", "202612070900", now=200.0)  # the next week's fire
    assert state.claim_fire("C:budget", "202611300900", now=200.0)  # another schedule


def test_the_schedules_version_moves_with_every_change(opener: Callable[[], State]) -> None:
    state = opener()
    start = state.schedules_version()
    schedule = state.put_schedule(
        team="T",
        channel="C",
        report="cost",
        frequency="daily",
        time_of_day="09:00",
        day=None,
        created_by="U1",
    )
    after_put = state.schedules_version()
    assert after_put != start
    assert opener().schedules_version() == after_put  # another process sees it
    state.delete_schedules([schedule.id])
    assert state.schedules_version() not in (start, after_put)


# ------------------------------------------------------------------ inbox


def test_a_request_is_received_once_and_kept_until_answered(state: State) -> None:
    body = {"event": {"text": "héllo <@U1> `code`", "files": [{"id": "F1"}]}, "n": 1.5}
    assert state.receive("ev:Ev1", "event", body, now=100.0)
    assert not state.receive("ev:Ev1", "event", {"other": True}, now=101.0)  # a retry
    assert state.receive("cmd:T:1", "command", {"text": "jobs"}, now=102.0)
    assert state.unanswered(before=99.0) == []  # all received since: their processes are on them
    waiting = state.unanswered(before=200.0)
    assert [(r.key, r.kind, r.received_at, r.attempts) for r in waiting] == [
        ("ev:Ev1", "event", 100.0, 0),
        ("cmd:T:1", "command", 102.0, 0),
    ]
    assert waiting[0].body == body
    state.answered("ev:Ev1")
    assert [r.key for r in state.unanswered(before=200.0)] == ["cmd:T:1"]
    assert not state.receive("ev:Ev1", "event", body, now=103.0)  # still a retry
    state.answered("never-received")  # nothing to do, no error


def test_an_unanswered_request_is_taken_on_by_one_process_at_a_time(state: State) -> None:
    state.receive("ev:Ev2", "event", {}, now=100.0)
    wins: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda o=o: wins.append(
                state.claim_received("ev:Ev2", owner=f"r{o}", until=200.0, now=150.0)
            )
        )
        for o in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1
    assert state.unanswered(before=300.0)[0].attempts == 1
    assert not state.claim_received("ev:Ev2", owner="late", until=300.0, now=199.0)
    assert state.claim_received("ev:Ev2", owner="late", until=300.0, now=201.0)  # expired
    assert state.unanswered(before=300.0)[0].attempts == 2
    state.answered("ev:Ev2")
    assert not state.claim_received("ev:Ev2", owner="later", until=400.0, now=301.0)
