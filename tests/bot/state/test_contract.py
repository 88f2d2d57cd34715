from __future__ import annotations

import threading
from pathlib import Path

from bot.state.sqlite import SqliteState as Store


def _plan(store: Store, origin: str = "msg:T:C:1", now: float = 1000.0) -> str:
    return store.add_plan(
        plan_id=f"p-{origin}",
        intent="StartTraining",
        params={"a": 1},
        requester="U1",
        team="T",
        channel="C",
        thread_ts="1",
        request_id="r-1",
        origin_key=origin,
        title="Train",
        ttl_seconds=900,
        now=now,
    ).id


def test_a_delivery_is_first_only_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert store.first_delivery("k1") and not store.first_delivery("k1")
    # state is in the file: a restarted bot still knows
    assert not Store(tmp_path / "s.db").first_delivery("k1")


def test_one_plan_per_delivery(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert _plan(store) == _plan(store)


def test_only_one_of_many_concurrent_approvals_wins(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    plan_id = _plan(store, now=1000.0)
    wins: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: wins.append(store.decide(plan_id, state="approved", by="U1", now=1001.0))
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1


def test_an_expired_plan_cannot_be_approved(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    plan_id = _plan(store, now=1000.0)
    assert not store.decide(plan_id, state="approved", by="U1", now=1000.0 + 901)
    assert store.expire(plan_id, now=1000.0 + 901)
    assert store.plan(plan_id).state == "expired"  # type: ignore[union-attr]


def test_follows_survive_a_restart_and_come_due(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert store.follow(
        "training", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    assert not store.follow(
        "training", "job-1", channel="C", thread_ts="1", request_id="r", interval=5, now=100
    )
    store.update_follow(
        "training", "job-1", status="Starting", interval=10, next_check_at=110, done=False
    )
    again = Store(tmp_path / "s.db")
    assert again.due_follows(105) == []
    due = again.due_follows(111)
    assert [f.name for f in due] == ["job-1"] and due[0].last_status == "Starting"
