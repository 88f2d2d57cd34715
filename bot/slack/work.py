"""The work after the ack: a bounded queue served by a pool of worker threads.

A listener acknowledges Slack, then offers the request here. :meth:`WorkQueue.submit`
never blocks: it takes the request when a worker is free or a place in the queue is,
and otherwise says no at once, so the listener can answer "busy" instead of piling up
work that would be answered minutes late (or never). What was taken is always run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)
WARN_EVERY = 10.0  # seconds between warnings that a queue is refusing work


class WorkQueue:
    """At most ``workers + size`` requests taken and not yet finished: ``workers`` being
    worked on, ``size`` waiting. Runs them on its own pool of ``workers`` threads, or on
    *executor* when one is given (the sandbox's, which knows when all work is done)."""

    def __init__(
        self,
        workers: int,
        size: int,
        *,
        executor: Executor | None = None,
        name: str = "work",
    ) -> None:
        if workers < 1 or size < 0:
            raise ValueError("a work queue needs at least one worker and a size of 0 or more")
        self.workers, self.size, self.name = workers, size, name
        self._own = executor is None
        self._executor = executor or ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._taken = 0  # taken and not yet finished
        self._closed = False
        self._changed = threading.Condition()
        self._refused = 0  # since the last warning
        self._warned_at = -WARN_EVERY

    @property
    def capacity(self) -> int:
        return self.workers + self.size

    @property
    def taken(self) -> int:
        """Requests taken and not yet finished (running or waiting)."""
        with self._changed:
            return self._taken

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> bool:
        """Run ``fn(*args)`` on a worker; False, at once, when the queue is full or closed."""
        with self._changed:
            if self._closed:
                return False
            if self._taken >= self.capacity:
                self._refuse()
                return False
            self._taken += 1
        try:
            self._executor.submit(self._run, fn, args)
        except RuntimeError:  # the executor was shut down under us
            self._done()
            return False
        return True

    def _refuse(self) -> None:
        """Count a refusal; warn at most every WARN_EVERY seconds (a flood is one line)."""
        self._refused += 1
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            log.warning(
                "%s queue full (%d taken): refused %d request(s) since the last warning",
                self.name,
                self._taken,
                self._refused,
            )
            self._refused, self._warned_at = 0, now

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except Exception:  # the front turns failures into replies; this is a last resort
            log.exception("work after the ack failed in %s", self.name)
        finally:
            self._done()

    def _done(self) -> None:
        with self._changed:
            self._taken -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything taken has finished; False if *timeout* passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while self._taken:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Take nothing more, and finish what was taken (within *timeout*, if given)."""
        with self._changed:
            self._closed = True
        finished = self.wait_idle(timeout)
        if self._own:
            self._executor.shutdown(wait=finished)
        return finished
