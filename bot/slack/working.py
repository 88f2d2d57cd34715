"""Shows that the bot is working when an answer takes longer than a second."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.slack.outbox import SlackOutbox
from intents.reply import Reply

log = logging.getLogger(__name__)
WORKING_REACTION = "hourglass_flowing_sand"
WORKING_DELAY = 1.0  # seconds before we show that we're working


class Timer:
    """One callback waiting in :class:`Timers`; ``cancel()`` before it is due and it never runs."""

    def __init__(self, due: float, action: Callable[[], None]) -> None:
        self.due, self.action = due, action
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Timers:
    """Callbacks after a delay, for every request, kept in one heap of deadlines that one
    daemon thread serves (rather than a thread per request). Due callbacks run on a small
    shared pool, so one slow Slack call does not hold up the next indicator."""

    def __init__(self, *, workers: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._workers = workers
        self._heap: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()  # equal deadlines keep their order
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    def call_later(self, delay: float, action: Callable[[], None]) -> Timer:
        timer = Timer(self._clock() + delay, action)
        with self._wake:
            heapq.heappush(self._heap, (timer.due, next(self._order), timer))
            if self._thread is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="working")
                self._thread = threading.Thread(
                    target=self._run, name="working-timers", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        return timer

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > self._clock():
                    wait = self._heap[0][0] - self._clock() if self._heap else None
                    self._wake.wait(wait)
                _due, _, timer = heapq.heappop(self._heap)
            if not timer.cancelled:
                assert self._pool is not None
                self._pool.submit(self._call, timer)

    @staticmethod
    def _call(timer: Timer) -> None:
        if timer.cancelled:
            return
        try:
            timer.action()
        except Exception:
            log.exception("a working indicator failed")


TIMERS = Timers()  # shared by every Working; its thread starts with the first one


class Working:
    """Shows that the bot is working when an answer takes longer than a second.

    For a message: a reaction on it, removed when the answer is posted. For a
    slash command (no message to react to): a placeholder post that the answer
    then replaces.
    """

    def __init__(
        self,
        out: SlackOutbox,
        channel: str,
        *,
        message_ts: str | None,
        thread_ts: str | None,
        placeholder: Reply | None = None,
        delay: float = WORKING_DELAY,
        timers: Timers = TIMERS,
    ) -> None:
        self.out, self.channel = out, channel
        self.message_ts, self.thread_ts = message_ts, thread_ts
        self._placeholder = placeholder
        self._lock = threading.Lock()
        self._done = False
        self._reacted = False
        self.placeholder_ts: str | None = None
        self._timer = timers.call_later(delay, self._show)

    def _show(self) -> None:
        with self._lock:
            if self._done:
                return
            if self.message_ts:
                self._reacted = self.out.react(self.channel, self.message_ts, WORKING_REACTION)
            elif self._placeholder is not None:
                self.placeholder_ts = self.out.post(
                    self.channel, self._placeholder, thread_ts=self.thread_ts
                )

    def finish(self, reply: Reply, *, key: str | None = None) -> str | None:
        """Post (or put in place of the placeholder) the answer; returns its ts. *key*
        marks the post so a restarted bot can tell it was made."""
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self.placeholder_ts and reply.silent:
                self.out.delete(self.channel, self.placeholder_ts)
                return None
            if self.placeholder_ts and self.out.update(
                self.channel, self.placeholder_ts, reply, key=key
            ):
                self.out.upload(
                    self.channel, reply, thread_ts=self.thread_ts or self.placeholder_ts
                )
                return self.placeholder_ts
            ts = self.out.post(self.channel, reply, thread_ts=self.thread_ts, key=key)
            if self._reacted and self.message_ts:
                self.out.unreact(self.channel, self.message_ts, WORKING_REACTION)
            return ts
