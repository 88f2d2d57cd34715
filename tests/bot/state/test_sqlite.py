"""What the SQLite backend asks of the disk: routine writes do not wait for it, decisions do."""

from __future__ import annotations

from pathlib import Path

from bot.state.sqlite import SqliteState


def test_wal_with_normal_sync_and_decisions_synced_in_full(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    db = state._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    plan = state.add_plan(
        plan_id="p1",
        intent="DeleteEndpoint",
        params={"endpoint": "e"},
        requester="U1",
        team="T1",
        channel="C1",
        thread_ts=None,
        request_id="r-1",
        origin_key="msg:T1:C1:1.0",
        title="Delete endpoint e",
        ttl_seconds=900,
    )
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    state.first_delivery("msg:T1:C1:2.0")
    state.audit(
        request_id="r-1", user="U1", channel="C1", intent="Help", slots={}, outcome="answered"
    )
    assert not [s for s in statements if "synchronous" in s]  # routine writes: NORMAL
    assert state.decide(plan.id, state="approved", by="U2")
    decided = statements[statements.index("PRAGMA synchronous=FULL") :]
    assert decided[1] == "BEGIN IMMEDIATE" and decided[-1] == "PRAGMA synchronous=NORMAL"
    assert "COMMIT" in decided
    db.set_trace_callback(None)
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1
    state.close()
