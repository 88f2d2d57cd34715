"""Identical read-only questions close together share one answer (bot.gate.shared)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from bot.gate.shared import SharedReads, shared_key
from intents import registry as build_registry
from intents.base import Attachment
from tests.conftest import request


class Clock:
    """A clock the test moves; counts how often it is read."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.reads = 0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.reads += 1
            return self.now


def test_one_computation_for_concurrent_askers() -> None:
    # Given a slow answer that five askers want at the same time
    clock = Clock()
    shared: SharedReads[str] = SharedReads(5, clock=clock)
    calls: list[int] = []
    release = threading.Event()

    def compute() -> str:
        calls.append(1)
        release.wait()
        return "report"

    got: list[str] = []
    threads = [
        threading.Thread(target=lambda: got.append(shared.get("k", compute))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    # When every asker has decided whether it computes or waits (each reads the clock once
    # on the way in, under the lock), the computation finishes
    while clock.reads < 5:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(30)
    # Then it ran once, and everyone got its answer
    assert calls == [1]
    assert got == ["report"] * 5


def test_kept_for_the_given_seconds_after_it_is_ready() -> None:
    clock = Clock()
    shared: SharedReads[int] = SharedReads(5, clock=clock)
    counter = iter(range(100))
    assert shared.get("k", lambda: next(counter)) == 0
    clock.now += 4.9
    assert shared.get("k", lambda: next(counter)) == 0
    assert shared.get("other", lambda: next(counter)) == 1
    clock.now += 0.2  # 5.1 s after the first answer was ready
    assert shared.get("k", lambda: next(counter)) == 2


def test_a_failure_reaches_the_waiters_and_is_not_kept() -> None:
    clock = Clock()
    shared: SharedReads[str] = SharedReads(5, clock=clock)
    release = threading.Event()

    def fail() -> str:
        release.wait()
        raise TimeoutError("AWS is slow")

    errors: list[BaseException] = []

    def ask() -> None:
        try:
            shared.get("k", fail)
        except TimeoutError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    while clock.reads < 3:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(30)
    assert len(errors) == 3
    # The next asker reads again
    assert shared.get("k", lambda: "fresh") == "fresh"


def test_clear_forgets_and_zero_seconds_or_no_key_never_share() -> None:
    shared: SharedReads[int] = SharedReads(5, clock=Clock())
    counter = iter(range(100))
    assert shared.get("k", lambda: next(counter)) == 0
    shared.clear()
    assert shared.get("k", lambda: next(counter)) == 1
    assert shared.get(None, lambda: next(counter)) == 2
    assert shared.get(None, lambda: next(counter)) == 3
    never: SharedReads[int] = SharedReads(0, clock=Clock())
    assert never.get("k", lambda: next(counter)) == 4
    assert never.get("k", lambda: next(counter)) == 5


def test_expired_answers_are_forgotten() -> None:
    clock = Clock()
    shared: SharedReads[int] = SharedReads(5, clock=clock)
    for i in range(10):
        shared.get(i, lambda: 0)
    clock.now += 6
    shared.get("new", lambda: 0)
    assert list(shared._entries) == ["new"]


@pytest.fixture(scope="module")
def specs() -> Any:
    return build_registry().specs


def test_the_key_is_the_question_and_the_place_not_the_asker(specs: Any) -> None:
    health = specs["EndpointHealth"]
    asked = request("EndpointHealth", "are my endpoints healthy")
    again = request("EndpointHealth", "how are the endpoints doing")
    by_bob = type(asked)(**{**asked.__dict__, "user": "U0BOB", "id": "r-other"})
    elsewhere = type(asked)(**{**asked.__dict__, "channel": "C0OTHER"})
    assert shared_key(health, asked) == shared_key(health, again) == shared_key(health, by_bob)
    assert shared_key(health, asked) != shared_key(health, elsewhere)
    one = request("EndpointHealth", "", endpoint="fraud-detector-prod")
    other = request("EndpointHealth", "", endpoint="churn-xgb-prod")
    assert shared_key(health, one) != shared_key(health, other)


def test_never_shared_changes_answers_for_one_asker_or_files(specs: Any) -> None:
    # Help lists what the asker may do; the audit log shows admins more, a DM one's own
    assert specs["Help"].per_asker and specs["AuditLog"].per_asker
    assert shared_key(specs["Help"], request("Help", "help")) is None
    assert shared_key(specs["AuditLog"], request("AuditLog", "show the audit log")) is None
    assert shared_key(specs["DeleteEndpoint"], request("DeleteEndpoint", "", endpoint="x")) is None
    image = request("DetectLabels", "what's in this picture")
    with_file = type(image)(
        **{**image.__dict__, "files": (Attachment("F1", "cat.jpg", "image/jpeg", 10),)}
    )
    assert shared_key(specs["DetectLabels"], with_file) is None
    assert shared_key(specs["DetectLabels"], image) is not None
