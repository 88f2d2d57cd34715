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
from bot.state import Follow, State, process_id
from intents.aws import translate
from intents.base import Progress
from intents.deps import Deps
from intents.errors import NotFound
from intents.reply import Reply, md

log = logging.getLogger(__name__)
BACKOFF = 1.6
LEASE_SECONDS = 60.0


class Follower:
    def __init__(
        self,
        deps: Deps,
        state: State,
        out: Outbox,
        *,
        min_seconds: float,
        max_seconds: float,
        owner: str = "",
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.deps, self.state, self.out = deps, state, out
        self.min_seconds, self.max_seconds = min_seconds, max_seconds
        # Which process this is, for leases: one replica checks a job at a time, and when it
        # dies mid-check its lease runs out and another takes over.
        self.owner = owner or process_id()
        self.lease_seconds = lease_seconds
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
        """Deliver status posts still owed, then check every job that is due; returns how
        many were checked."""
        self.deliver_owed()
        now = self.deps.clock()
        checked = 0
        for follow in self.state.due_follows(now):
            if not self.state.claim_follow(
                follow.kind, follow.name, owner=self.owner, until=now + self.lease_seconds, now=now
            ):
                continue  # another replica took it
            with request_context(follow.request_id or "follow"):
                self._check(follow)
            checked += 1
        return checked

    def _progress(self, follow: Follow) -> Progress | None:
        """The job's state now; NotFound is a final state; other trouble is None (retry)."""
        check = self.deps.registry.followers.get(follow.kind)
        if check is None:
            log.error("no follower for kind %s; dropping %s", follow.kind, follow.name)
            return Progress(follow.last_status, terminal=True)
        try:
            return check(follow.name, self.deps)
        except NotFound as exc:
            said = Reply.text(md(":warning: {m} I've stopped following it.", m=exc.message))
            return Progress("gone", terminal=True, reply=said)
        except Exception as exc:
            known = translate(exc)
            if known is None:
                log.error("checking %s %s failed", follow.kind, follow.name, exc_info=exc)
            else:
                log.warning("checking %s %s: %s", follow.kind, follow.name, known.message)
            return None

    def _check(self, follow: Follow) -> None:
        now = self.deps.clock()
        progress = self._progress(follow)
        if progress is None:
            interval = min(follow.interval * BACKOFF, self.max_seconds)
            self.state.update_follow(
                follow.kind,
                follow.name,
                status=follow.last_status,
                interval=interval,
                next_check_at=now + interval,
                done=False,
            )
            return
        changed = progress.status != follow.last_status
        interval = self.min_seconds if changed else min(follow.interval * BACKOFF, self.max_seconds)
        # The post is decided before it is made: a crash between the two leaves a marker
        # (posting) that deliver_owed() settles, so the post is made once, not twice or never.
        key = _key(follow, progress.status) if changed and progress.reply is not None else None
        self.state.update_follow(
            follow.kind,
            follow.name,
            status=progress.status,
            interval=interval,
            next_check_at=now + interval,
            done=progress.terminal,
            posting=key,
        )
        if key is not None and progress.reply is not None:
            self._post(follow, progress.reply, key)

    def _post(self, follow: Follow, reply: Reply, key: str) -> None:
        if self.out.post(follow.channel, reply, thread_ts=follow.thread_ts, key=key) is not None:
            self.state.posted(follow.kind, follow.name)
        # Not posted (Slack kept failing): the marker stays and the next pass tries again.

    def deliver_owed(self) -> int:
        """Status posts that were decided but are not known to be made: made now, once.
        Slack is asked first (the post carries its key), so a post made just before a crash
        is not made again."""
        owed = self.state.pending_posts()
        now = self.deps.clock()
        for follow in owed:
            assert follow.posting is not None
            if not self.state.claim_follow(
                follow.kind, follow.name, owner=self.owner, until=now + self.lease_seconds, now=now
            ):
                continue  # its poster (here or elsewhere) still holds it
            with request_context(follow.request_id or "follow"):
                if self.out.posted(follow.channel, follow.thread_ts, follow.posting):
                    self.state.posted(follow.kind, follow.name)
                    continue
                progress = self._progress(follow)
                if progress is None or progress.reply is None:
                    continue  # can't say it now; the next pass tries again
                key = _key(follow, progress.status)
                if key != follow.posting:  # it moved on meanwhile: say where it is now
                    self.state.update_follow(
                        follow.kind,
                        follow.name,
                        status=progress.status,
                        interval=follow.interval,
                        next_check_at=follow.next_check_at,
                        done=progress.terminal,
                        posting=key,
                    )
                self._post(follow, progress.reply, key)
        return len(owed)


def _key(follow: Follow, status: str) -> str:
    return f"follow:{follow.kind}:{follow.name}:{status}"
