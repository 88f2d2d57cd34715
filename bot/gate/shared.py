"""Identical read-only questions asked close together share one answer.

A burst of "are my endpoints healthy" in one channel costs one report: the first
asker's handler runs, askers who come while it runs wait for its result, and askers
in the next few seconds get the same reply. Only answers that depend on nothing but
the intent, its slots and the place are shared (see :func:`shared_key`); a failure
is never kept, and each waiting asker gets the failure as their own (with their own
request id in the reply).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

from intents.base import Request
from intents.registry import IntentSpec

T = TypeVar("T")


def shared_key(spec: IntentSpec, request: Request) -> Hashable | None:
    """What makes two requests the same question, or None when this one is never shared:
    changes, answers that depend on who asks (``per_asker``), and requests with files."""
    if spec.mutating or spec.per_asker or request.files:
        return None
    return (spec.name, tuple(sorted(request.slots.items())), request.team, request.channel)


class _Entry(Generic[T]):
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None
        self.expires = float("inf")  # until it is ready, it does not expire


class SharedReads(Generic[T]):
    """Single-flight with a short memory: :meth:`get` runs *compute* once per key, and
    reuses its result for *seconds* after it is ready. Safe for concurrent askers."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Hashable, _Entry[T]] = {}
        self._sweep_at = 0.0

    def get(self, key: Hashable | None, compute: Callable[[], T]) -> T:
        if key is None or self.seconds <= 0:
            return compute()
        with self._lock:
            now = self._clock()
            self._sweep(now)
            entry = self._entries.get(key)
            owner = entry is None or entry.expires <= now
            if owner:
                entry = self._entries[key] = _Entry()
        assert entry is not None
        if not owner:
            entry.ready.wait()
            if entry.error is not None:
                raise entry.error
            return cast(T, entry.value)  # set before ready, when there was no error
        try:
            value = compute()
        except BaseException as exc:
            entry.error = exc
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            entry.ready.set()
            raise
        with self._lock:
            entry.value, entry.expires = value, self._clock() + self.seconds
        entry.ready.set()
        return value

    def clear(self) -> None:
        """Forget every answer kept (something changed); answers being read still reach
        those already waiting for them, and are not kept."""
        with self._lock:
            self._entries.clear()

    def _sweep(self, now: float) -> None:
        """Forget expired answers, at most once per *seconds* (under the lock)."""
        if now < self._sweep_at:
            return
        self._sweep_at = now + self.seconds
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
