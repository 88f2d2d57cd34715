"""The work queue after the ack: bounded, never blocking the caller, and what it takes it runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.slack.work import WorkQueue


def test_takes_workers_plus_size_and_refuses_the_next_at_once() -> None:
    # Given one worker held busy and one place in the queue
    queue = WorkQueue(1, 1, name="test")
    release = threading.Event()
    started = threading.Event()
    ran: list[str] = []

    def hold(name: str) -> None:
        started.set()
        release.wait()
        ran.append(name)

    try:
        assert queue.submit(hold, "running")
        started.wait()
        assert queue.submit(ran.append, "waiting")
        # When a third comes, it is refused without waiting for anything
        assert not queue.submit(ran.append, "refused")
        assert queue.taken == 2
        # Then what was taken runs, in order, once the worker is free
        release.set()
        assert queue.wait_idle(30)
        assert ran == ["running", "waiting"]
        # and there is room again
        assert queue.submit(ran.append, "later") and queue.wait_idle(30)
        assert ran[-1] == "later"
    finally:
        release.set()
        queue.close()


def test_a_size_of_zero_takes_only_what_a_worker_can_start() -> None:
    queue = WorkQueue(2, 0, name="test")
    release = threading.Event()
    try:
        assert queue.submit(release.wait) and queue.submit(release.wait)
        assert not queue.submit(release.wait)
    finally:
        release.set()
        queue.close()


def test_a_failing_job_frees_its_place_and_the_rest_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue = WorkQueue(1, 0, name="test")
    ran: list[int] = []

    def fail() -> None:
        raise RuntimeError("boom")

    assert queue.submit(fail) and queue.wait_idle(30)
    assert queue.submit(ran.append, 1) and queue.wait_idle(30)
    queue.close()
    assert ran == [1]
    assert "work after the ack failed in test" in caplog.text


def test_close_finishes_what_was_taken_and_takes_nothing_more() -> None:
    queue = WorkQueue(1, 5, name="test")
    release = threading.Event()
    ran: list[int] = []
    queue.submit(release.wait)
    for i in range(5):
        assert queue.submit(ran.append, i)
    closer = threading.Thread(target=queue.close)
    closer.start()
    release.set()
    closer.join(30)
    assert ran == [0, 1, 2, 3, 4]
    assert not queue.submit(ran.append, 5)


def test_runs_on_a_given_executor_with_the_same_bound() -> None:
    # The sandbox passes its own executor (it knows when all work is done); the bound holds.
    with ThreadPoolExecutor(8) as executor:
        queue = WorkQueue(1, 1, executor=executor, name="test")
        release = threading.Event()
        assert queue.submit(release.wait) and queue.submit(release.wait)
        assert not queue.submit(release.wait)
        release.set()
        assert queue.close(30)
        assert not executor._shutdown  # not ours to shut down


def test_a_flood_of_refusals_is_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    queue = WorkQueue(1, 0, name="test")
    release = threading.Event()
    queue.submit(release.wait)
    for _ in range(50):
        queue.submit(release.wait)
    release.set()
    queue.close()
    warnings = [r for r in caplog.records if "queue full" in r.getMessage()]
    assert len(warnings) == 1


def test_sizes_are_checked() -> None:
    with pytest.raises(ValueError):
        WorkQueue(0, 10)
    with pytest.raises(ValueError):
        WorkQueue(1, -1)
