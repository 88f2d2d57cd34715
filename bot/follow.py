"""Follows the jobs the bot started and posts their status changes in the thread.

What is followed lives in the state file, so following survives a restart.
Each job is checked with backoff: soon after a change, then less and less often
(up to ``follow_max_seconds``) while nothing changes. One thread, no busy loop.
"""

from __future__ import annotations

import logging
import threading

from bot.gate.outbox import Outbox
from bot.logs import request_context
from bot.state import Follow, State
from intents.aws import translate
from intents.base import Progress
from intents.deps import Deps
from intents.errors import NotFound
from intents.reply import Reply, md

log = logging.getLogger(__name__)
BACKOFF = 1.6


class Follower:
    def __init__(
        self, deps: Deps, state: State, out: Outbox, *, min_seconds: float, max_seconds: float
    ) -> None:
        self.deps, self.state, self.out = deps, state, out
        self.min_seconds, self.max_seconds = min_seconds, max_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="follower", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def wake(self) -> None:
        """Something new to follow: check now rather than at the next scheduled time."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the loop must survive anything one check throws
                log.exception("follower pass failed")
            next_at = self.state.next_follow_at()
            wait = self.max_seconds if next_at is None else max(0.05, next_at - self.deps.clock())
            self._wake.wait(timeout=min(wait, self.max_seconds))
            self._wake.clear()

    def poll_once(self) -> int:
        """Check every job that is due; returns how many were checked."""
        due = self.state.due_follows(self.deps.clock())
        for follow in due:
            with request_context(follow.request_id or "follow"):
                self._check(follow)
        return len(due)

    def _check(self, follow: Follow) -> None:
        store, now = self.state, self.deps.clock()
        check = self.deps.registry.followers.get(follow.kind)
        if check is None:
            log.error("no follower for kind %s; dropping %s", follow.kind, follow.name)
            store.update_follow(
                follow.kind,
                follow.name,
                status=follow.last_status,
                interval=follow.interval,
                next_check_at=now,
                done=True,
            )
            return
        try:
            progress: Progress = check(follow.name, self.deps)
        except NotFound as exc:
            self.out.post(
                follow.channel,
                Reply.text(md(":warning: {m} I've stopped following it.", m=exc.message)),
                thread_ts=follow.thread_ts,
            )
            store.update_follow(
                follow.kind,
                follow.name,
                status="gone",
                interval=follow.interval,
                next_check_at=now,
                done=True,
            )
            return
        except Exception as exc:
            known = translate(exc)
            if known is None:
                log.error("checking %s %s failed", follow.kind, follow.name, exc_info=exc)
            else:
                log.warning("checking %s %s: %s", follow.kind, follow.name, known.message)
            interval = min(follow.interval * BACKOFF, self.max_seconds)
            store.update_follow(
                follow.kind,
                follow.name,
                status=follow.last_status,
                interval=interval,
                next_check_at=now + interval,
                done=False,
            )
            return
        changed = progress.status != follow.last_status
        if changed and progress.reply is not None:
            self.out.post(follow.channel, progress.reply, thread_ts=follow.thread_ts)
        interval = self.min_seconds if changed else min(follow.interval * BACKOFF, self.max_seconds)
        store.update_follow(
            follow.kind,
            follow.name,
            status=progress.status,
            interval=interval,
            next_check_at=now + interval,
            done=progress.terminal,
        )
