"""The "working" indicator: one timer thread for every request, the same behaviour."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from bot.slack.working import WORKING_REACTION, Timers, Working
from intents.reply import Reply


class Outbox:
    """Records what the indicator did, as the Slack outbox would have done it."""

    def __init__(self) -> None:
        self.done: list[tuple[str, ...]] = []
        self._ts = (f"{1700000000 + i}.000100" for i in itertools.count())

    def react(self, channel: str, ts: str, name: str) -> bool:
        self.done.append(("react", ts, name))
        return True

    def unreact(self, channel: str, ts: str, name: str) -> None:
        self.done.append(("unreact", ts, name))

    def post(
        self, channel: str, reply: Reply, *, thread_ts: str | None = None, key: str | None = None
    ) -> str:
        ts = next(self._ts)
        self.done.append(("post", ts, reply.summary))
        return ts

    def update(self, channel: str, ts: str, reply: Reply, *, key: str | None = None) -> bool:
        self.done.append(("update", ts, reply.summary))
        return True

    def delete(self, channel: str, ts: str) -> None:
        self.done.append(("delete", ts))

    def upload(self, channel: str, reply: Reply, *, thread_ts: str | None) -> None:
        pass


def _until(check: Any, seconds: float = 2.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.005)
    return False


def test_a_slow_answer_gets_a_reaction_that_goes_when_it_is_posted() -> None:
    out = Outbox()
    working = Working(out, "C1", message_ts="1.1", thread_ts=None, delay=0.02, timers=Timers())
    assert _until(lambda: out.done)
    working.finish(Reply.text("answer"))
    assert out.done == [
        ("react", "1.1", WORKING_REACTION),
        ("post", "1700000000.000100", "answer"),
        ("unreact", "1.1", WORKING_REACTION),
    ]


def test_a_quick_answer_shows_nothing() -> None:
    out = Outbox()
    timers = Timers()
    working = Working(out, "C1", message_ts="1.1", thread_ts=None, delay=0.05, timers=timers)
    working.finish(Reply.text("answer"))
    time.sleep(0.1)
    assert [d[0] for d in out.done] == ["post"]


def test_a_slash_command_placeholder_is_replaced_in_place() -> None:
    out = Outbox()
    working = Working(
        out,
        "C1",
        message_ts=None,
        thread_ts=None,
        placeholder=Reply.text("Working on /ml jobs…"),
        delay=0.02,
        timers=Timers(),
    )
    assert _until(lambda: out.done)
    ts = working.finish(Reply.text("the jobs"))
    assert out.done == [
        ("post", "1700000000.000100", "Working on /ml jobs…"),
        ("update", "1700000000.000100", "the jobs"),
    ]
    assert ts == "1700000000.000100"


def test_many_requests_share_one_timer_thread() -> None:
    out = Outbox()
    timers = Timers()
    before = threading.active_count()
    pending = [
        Working(out, "C1", message_ts=f"{i}.1", thread_ts=None, delay=0.2, timers=timers)
        for i in range(200)
    ]
    # 200 requests in flight: one timer thread (and its pool, two at most), not 200 threads
    assert threading.active_count() - before <= 3
    for working in pending[:100]:
        working.finish(Reply.text("quick"))
    assert _until(lambda: sum(d[0] == "react" for d in out.done) >= 100)
    assert threading.active_count() - before <= 3
    for working in pending[100:]:
        working.finish(Reply.text("slow"))
    reacted = sum(d[0] == "react" for d in out.done)
    assert sum(d[0] == "unreact" for d in out.done) == reacted  # every reaction removed


def test_timers_run_in_deadline_order_and_cancelled_ones_never() -> None:
    timers, ran = Timers(), []
    timers.call_later(0.06, lambda: ran.append("late"))
    timers.call_later(0.02, lambda: ran.append("early"))
    timers.call_later(0.04, lambda: ran.append("cancelled")).cancel()
    assert _until(lambda: len(ran) == 2)
    time.sleep(0.05)
    assert ran == ["early", "late"]
