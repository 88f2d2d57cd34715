"""The bot's state in one SQLite file: the default implementation of :class:`bot.state.State`.

One connection, serialised by a lock; writes that must happen exactly once
(first delivery, deciding a plan) are single conditional statements inside an
immediate transaction.

The file is in WAL mode with ``synchronous=NORMAL``: a commit does not wait for the
disk, and the file is never corrupted; a power cut (not a crash of the bot) may lose
the last commits. That is acceptable for a handled-delivery mark, a thread, a follow
or an audit line; who decided a plan, and the schedules people approved, are synced
in full before the call returns.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.state import Plan, Received
from intents.state import AuditEntry, Follow, Schedule

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    key TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_seen ON deliveries (seen_at);
CREATE TABLE IF NOT EXISTS inbox (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    body TEXT,
    received_at REAL NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL
);
CREATE INDEX IF NOT EXISTS inbox_received ON inbox (received_at);
CREATE INDEX IF NOT EXISTS inbox_open ON inbox (received_at) WHERE answered = 0;
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    started_at REAL NOT NULL,
    PRIMARY KEY (channel, thread_ts)
);
CREATE TABLE IF NOT EXISTS plans (
    id TEXT PRIMARY KEY,
    intent TEXT NOT NULL,
    params TEXT NOT NULL,
    requester TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    thread_ts TEXT,
    card_ts TEXT,
    request_id TEXT NOT NULL,
    origin_key TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    card TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT,
    decided_at REAL,
    outcome TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS plans_origin ON plans (origin_key, intent);
CREATE INDEX IF NOT EXISTS plans_session ON plans (channel, requester, state);
CREATE TABLE IF NOT EXISTS follows (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread_ts TEXT,
    request_id TEXT NOT NULL DEFAULT '',
    last_status TEXT NOT NULL DEFAULT '',
    interval REAL NOT NULL,
    next_check_at REAL NOT NULL,
    started_at REAL NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    posting TEXT,
    PRIMARY KEY (kind, name)
);
CREATE INDEX IF NOT EXISTS follows_thread ON follows (channel, thread_ts);
CREATE TABLE IF NOT EXISTS schedules (
    id TEXT PRIMARY KEY,
    team TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    report TEXT NOT NULL,
    frequency TEXT NOT NULL,
    time TEXT NOT NULL,
    day TEXT,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (channel, report)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    request_id TEXT NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    intent TEXT NOT NULL,
    slots TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS fires (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
# Columns added since a state file was first made: (table, column, type).
MIGRATIONS = [
    ("follows", "posting", "TEXT"),
    ("follows", "lease_owner", "TEXT"),
    ("follows", "lease_until", "REAL"),
    ("plans", "lease_owner", "TEXT"),
    ("plans", "lease_until", "REAL"),
]


class SqliteState:
    """Thread-safe access to the state file (one connection, serialised)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        for table, column, kind in MIGRATIONS:
            columns = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock, self._synced(durable):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _synced(self, durable: bool = True) -> Iterator[None]:
        """Commits inside wait for the disk (synchronous=FULL); the setting can only
        change between transactions, hence around them."""
        if not durable:
            yield
            return
        with self._lock:
            self._db.execute("PRAGMA synchronous=FULL")
            try:
                yield
            finally:
                self._db.execute("PRAGMA synchronous=NORMAL")

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    # ------------------------------------------------------------ deliveries

    def first_delivery(self, key: str, *, now: float | None = None) -> bool:
        """True the first time *key* is seen; a retried Slack delivery gets False."""
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute("DELETE FROM deliveries WHERE seen_at < ?", (now - 86400,))
            cur = db.execute(
                "INSERT OR IGNORE INTO deliveries (key, seen_at) VALUES (?, ?)", (key, now)
            )
            return cur.rowcount == 1

    # ------------------------------------------------------------ inbox

    def receive(self, key: str, kind: str, body: Mapping[str, Any], *, now: float) -> bool:
        with self._tx() as db:
            db.execute("DELETE FROM inbox WHERE received_at < ?", (now - 2 * 86400,))
            cur = db.execute(
                "INSERT OR IGNORE INTO inbox (key, kind, body, received_at) VALUES (?, ?, ?, ?)",
                (key, kind, json.dumps(body), now),
            )
            return cur.rowcount == 1

    def answered(self, key: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE inbox SET answered = 1, body = NULL, lease_owner = NULL, "
                "lease_until = NULL WHERE key = ?",
                (key,),
            )

    def unanswered(self, *, before: float, limit: int = 50) -> list[Received]:
        rows = self._all(
            "SELECT * FROM inbox WHERE answered = 0 AND received_at < ? "
            "ORDER BY received_at LIMIT ?",
            before,
            limit,
        )
        return [
            Received(r["key"], r["kind"], json.loads(r["body"]), r["received_at"], r["attempts"])
            for r in rows
        ]

    def claim_received(self, key: str, *, owner: str, until: float, now: float) -> bool:
        with self._tx(durable=True) as db:
            cur = db.execute(
                "UPDATE inbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 "
                "WHERE key = ? AND answered = 0 "
                "AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)",
                (owner, until, key, now, owner),
            )
            return cur.rowcount == 1

    # ------------------------------------------------------------ threads

    def join_thread(self, channel: str, thread_ts: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO threads (channel, thread_ts, started_at) VALUES (?, ?, ?)",
                (channel, thread_ts, time.time()),
            )

    def in_thread(self, channel: str, thread_ts: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM threads WHERE channel = ? AND thread_ts = ?", channel, thread_ts
            )
            is not None
        )

    # ------------------------------------------------------------ plans

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
        now = time.time() if now is None else now
        with self._tx() as db:
            existing = db.execute(
                "SELECT * FROM plans WHERE origin_key = ? AND intent = ?", (origin_key, intent)
            ).fetchone()
            if existing is not None:
                return _plan(existing)
            db.execute(
                "INSERT INTO plans (id, intent, params, requester, team, channel, thread_ts, "
                "request_id, origin_key, title, card, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    plan_id,
                    intent,
                    json.dumps(params, sort_keys=True),
                    requester,
                    team,
                    channel,
                    thread_ts,
                    request_id,
                    origin_key,
                    title,
                    json.dumps(dict(card or {})),
                    now,
                    now + ttl_seconds,
                ),
            )
        plan = self.plan(plan_id)
        assert plan is not None
        return plan

    def set_card(self, plan_id: str, card_ts: str) -> None:
        with self._lock:
            self._db.execute("UPDATE plans SET card_ts = ? WHERE id = ?", (card_ts, plan_id))

    def plan(self, plan_id: str) -> Plan | None:
        row = self._one("SELECT * FROM plans WHERE id = ?", plan_id)
        return _plan(row) if row else None

    def plan_by_origin(self, origin_key: str, intent: str) -> Plan | None:
        row = self._one(
            "SELECT * FROM plans WHERE origin_key = ? AND intent = ?", origin_key, intent
        )
        return _plan(row) if row else None

    def pending_plans(self, channel: str, thread_ts: str | None = None) -> list[Plan]:
        sql = "SELECT * FROM plans WHERE channel = ? AND state = 'pending'"
        args: list[Any] = [channel]
        if thread_ts is not None:
            sql += " AND (thread_ts = ? OR card_ts = ?)"
            args += [thread_ts, thread_ts]
        return [_plan(r) for r in self._all(sql + " ORDER BY created_at DESC", *args)]

    def decide(self, plan_id: str, *, state: str, by: str, now: float | None = None) -> bool:
        """Move a pending, unexpired plan to *state*; only one caller ever wins."""
        now = time.time() if now is None else now
        with self._tx(durable=True) as db:
            cur = db.execute(
                "UPDATE plans SET state = ?, decided_by = ?, decided_at = ? "
                "WHERE id = ? AND state = 'pending' AND expires_at > ?",
                (state, by, now, plan_id, now),
            )
            return cur.rowcount == 1

    def expire(self, plan_id: str, *, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self._lock:
            cur = self._db.execute(
                "UPDATE plans SET state = 'expired' WHERE id = ? AND state = 'pending' "
                "AND expires_at <= ?",
                (plan_id, now),
            )
            return cur.rowcount == 1

    def unfinished_plans(self) -> list[Plan]:
        rows = self._all("SELECT * FROM plans WHERE state = 'approved' ORDER BY decided_at")
        return [_plan(r) for r in rows]

    def cardless_plans(self, now: float) -> list[Plan]:
        rows = self._all(
            "SELECT * FROM plans WHERE state = 'pending' AND card_ts IS NULL AND expires_at > ? "
            "ORDER BY created_at",
            now,
        )
        return [_plan(r) for r in rows]

    def finish_plan(self, plan_id: str, *, state: str, outcome: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE plans SET state = ?, outcome = ? WHERE id = ?", (state, outcome, plan_id)
            )

    # ------------------------------------------------------------ follows

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
        now = time.time() if now is None else now
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO follows (kind, name, channel, thread_ts, request_id, "
                "interval, next_check_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, name, channel, thread_ts, request_id, interval, now, now),
            )
            return cur.rowcount == 1

    def due_follows(self, now: float | None = None) -> list[Follow]:
        now = time.time() if now is None else now
        rows = self._all(
            "SELECT * FROM follows WHERE done = 0 AND next_check_at <= ? "
            "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_check_at",
            now,
            now,
        )
        return [_follow(r) for r in rows]

    def claim_follow(self, kind: str, name: str, *, owner: str, until: float, now: float) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE follows SET lease_owner = ?, lease_until = ? WHERE kind = ? AND name = ? "
                "AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)",
                (owner, until, kind, name, now, owner),
            )
            return cur.rowcount == 1

    def claim_plan(self, plan_id: str, *, owner: str, until: float, now: float) -> bool:
        with self._tx(durable=True) as db:
            cur = db.execute(
                "UPDATE plans SET lease_owner = ?, lease_until = ? WHERE id = ? "
                "AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)",
                (owner, until, plan_id, now, owner),
            )
            return cur.rowcount == 1

    def claim_fire(self, schedule_id: str, fire_key: str, *, now: float) -> bool:
        with self._tx(durable=True) as db:
            db.execute("DELETE FROM fires WHERE at < ?", (now - 2 * 86400,))
            cur = db.execute(
                "INSERT OR IGNORE INTO fires (id, at) VALUES (?, ?)",
                (f"{schedule_id}#{fire_key}", now),
            )
            return cur.rowcount == 1

    def schedules_version(self) -> int:
        row = self._one("SELECT value FROM meta WHERE key = 'schedules'")
        return int(row["value"]) if row else 0

    def _bump_schedules(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('schedules', 1) "
            "ON CONFLICT (key) DO UPDATE SET value = value + 1"
        )

    def active_follows(self) -> list[Follow]:
        return [_follow(r) for r in self._all("SELECT * FROM follows WHERE done = 0")]

    def thread_follows(self, channel: str, thread_ts: str) -> list[Follow]:
        """What the bot followed (or follows) in that thread, most recent first."""
        rows = self._all(
            "SELECT * FROM follows WHERE channel = ? AND thread_ts = ? ORDER BY started_at DESC",
            channel,
            thread_ts,
        )
        return [_follow(r) for r in rows]

    def next_follow_at(self) -> float | None:
        row = self._one("SELECT MIN(next_check_at) AS at FROM follows WHERE done = 0")
        return float(row["at"]) if row and row["at"] is not None else None

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
        with self._lock:
            self._db.execute(
                "UPDATE follows SET last_status = ?, interval = ?, next_check_at = ?, done = ?, "
                "posting = ?, lease_owner = CASE WHEN ? IS NULL THEN NULL ELSE lease_owner END, "
                "lease_until = CASE WHEN ? IS NULL THEN NULL ELSE lease_until END "
                "WHERE kind = ? AND name = ?",
                (status, interval, next_check_at, int(done), posting, posting, posting, kind, name),
            )

    def posted(self, kind: str, name: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE follows SET posting = NULL, lease_owner = NULL, lease_until = NULL "
                "WHERE kind = ? AND name = ?",
                (kind, name),
            )

    def pending_posts(self) -> list[Follow]:
        return [_follow(r) for r in self._all("SELECT * FROM follows WHERE posting IS NOT NULL")]

    # ------------------------------------------------------------ schedules

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
        """Create or replace the channel's schedule for *report* (one per report and channel)."""
        now = time.time() if now is None else now
        schedule_id = f"{channel}:{report}"
        with self._tx(durable=True) as db:
            db.execute(
                "INSERT INTO schedules (id, team, channel, report, frequency, time, day, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, report) DO UPDATE SET "
                "frequency = excluded.frequency, time = excluded.time, day = excluded.day, "
                "created_by = excluded.created_by, created_at = excluded.created_at",
                (schedule_id, team, channel, report, frequency, time_of_day, day, created_by, now),
            )
            self._bump_schedules(db)
        found = self.schedule(schedule_id)
        assert found is not None
        return found

    def schedule(self, schedule_id: str) -> Schedule | None:
        row = self._one("SELECT * FROM schedules WHERE id = ?", schedule_id)
        return Schedule(**dict(row)) if row else None

    def schedules(self, channel: str | None = None) -> list[Schedule]:
        if channel:
            rows = self._all("SELECT * FROM schedules WHERE channel = ? ORDER BY report", channel)
        else:
            rows = self._all("SELECT * FROM schedules ORDER BY channel, report")
        return [Schedule(**dict(r)) for r in rows]

    def delete_schedules(self, ids: list[str]) -> int:
        with self._tx(durable=True) as db:
            removed = sum(
                db.execute("DELETE FROM schedules WHERE id = ?", (i,)).rowcount for i in ids
            )
            self._bump_schedules(db)
            return removed

    # ------------------------------------------------------------ audit

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
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO audit (at, request_id, user, channel, intent, slots, outcome, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    request_id,
                    user,
                    channel,
                    intent,
                    json.dumps(dict(slots), sort_keys=True),
                    outcome,
                    detail[:500],
                ),
            )

    def audit_entries(
        self, limit: int = 20, *, channel: str | None = None, user: str | None = None
    ) -> list[AuditEntry]:
        where, args = [], []
        for column, value in (("channel", channel), ("user", user)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._all(sql + " ORDER BY id DESC LIMIT ?", *args, limit)
        return [
            AuditEntry(
                at=r["at"],
                request_id=r["request_id"],
                user=r["user"],
                channel=r["channel"],
                intent=r["intent"],
                slots=json.loads(r["slots"]),
                outcome=r["outcome"],
                detail=r["detail"],
            )
            for r in rows
        ]


def _plan(row: sqlite3.Row) -> Plan:
    data = dict(row)
    data["params"] = json.loads(data["params"])
    data["card"] = json.loads(data["card"])
    for internal in ("lease_owner", "lease_until"):
        data.pop(internal, None)
    return Plan(**data)


def _follow(row: sqlite3.Row) -> Follow:
    data = dict(row)
    for internal in ("done", "lease_owner", "lease_until"):
        data.pop(internal, None)
    return Follow(**data)
