"""One process never answers a request twice: its worker and its own periodic pass each
take a lease of their own, and the pass leaves alone what a worker here is answering."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from slack_bolt import BoltContext

from bot.slack.inbox import Inbox, Route
from bot.state.sqlite import SqliteState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _setup(tmp_path: Path, answer: Any) -> tuple[Inbox, SqliteState, Clock, Route[str]]:
    state = SqliteState(tmp_path / "state.db")
    clock = Clock()
    inbox = Inbox(state, clock=clock, owner="replica-a", grace=120)
    route: Route[str] = Route(
        name="on_event",
        kind="event",
        read=lambda body, _: body.get("text"),
        answer=answer,
        key=lambda item, body: body.get("key"),
    )
    inbox.add(route)
    return inbox, state, clock, route


def _keep(inbox: Inbox, route: Route[str], text: str, key: str) -> str:
    body = {"text": text, "key": key}
    kept, stored = inbox.receive(route, text, body, BoltContext({}))
    assert kept and stored == key
    return key


def test_the_periodic_pass_leaves_a_request_a_worker_here_is_answering(tmp_path: Path) -> None:
    answers: list[tuple[str, bool]] = []
    started, release = threading.Event(), threading.Event()

    def slow(item: str, again: bool) -> None:
        answers.append((item, again))
        started.set()
        release.wait(5)

    inbox, state, clock, route = _setup(tmp_path, slow)
    key = _keep(inbox, route, "hello", "ev:1")
    worker = threading.Thread(target=inbox.run, args=(route, "hello", key))
    worker.start()
    assert started.wait(5)
    clock.now += 500  # the answer takes longer than the grace and the lease
    assert inbox.redo() == 0
    release.set()
    worker.join(5)
    assert answers == [("hello", False)]
    assert state.unanswered(before=clock.now + 1) == []


def test_a_request_taken_on_again_while_it_waited_is_not_answered_by_its_worker(
    tmp_path: Path,
) -> None:
    answers: list[tuple[str, bool]] = []
    inbox, _state, clock, route = _setup(tmp_path, lambda i, again: answers.append((i, again)))
    key = _keep(inbox, route, "hello", "ev:2")
    clock.now += 200  # still waiting in the queue past the grace: the pass takes it on
    assert inbox.redo() == 1
    inbox.run(route, "hello", key)  # the worker dequeues it at last
    assert answers == [("hello", True)]


def test_a_lease_held_by_this_process_is_not_taken_again_by_it(tmp_path: Path) -> None:
    answers: list[tuple[str, bool]] = []
    inbox, state, clock, route = _setup(tmp_path, lambda i, again: answers.append((i, again)))
    key = _keep(inbox, route, "hello", "ev:3")
    clock.now += 200
    # an attempt elsewhere in this process holds the lease (a worker that died mid-answer)
    assert state.claim_received(key, owner="replica-a/x", until=clock.now + 120, now=clock.now)
    assert inbox.redo() == 0
    inbox.run(route, "hello", key)
    assert answers == []
    clock.now += 121  # the lease ran out: one more attempt
    assert inbox.redo() == 1
    assert answers == [("hello", True)]


def test_sigterm_inside_a_listener_stops_the_bot_instead_of_failing_the_request() -> None:
    """In ack-process mode the main thread is often inside a listener when SIGTERM comes:
    the listener's guard against a bad request must let the stop through."""
    import pytest

    from bot.cli import Stopping
    from bot.slack.listeners import _queued
    from bot.slack.work import WorkQueue

    def read(body: dict[str, Any], context: BoltContext) -> str:
        raise Stopping()

    route: Route[str] = Route("on_event", "event", read, lambda i, a: None, lambda i, b: None)
    work = WorkQueue(1, 1, name="test")
    listener = _queued(route, work, None, None)
    with pytest.raises(Stopping):
        listener(lambda: None, {}, BoltContext({}))  # type: ignore[arg-type]
    work.close()
