"""Acknowledged Slack requests survive the process that took them.

A listener keeps each request's payload in the state's inbox before it hands the request
to the work queue (one write on the acknowledging thread); a Slack retry of a request
received before is dropped there. The worker takes a lease on the request, answers it
and marks it answered; a "busy" refusal counts as an answer (the asker was told). What
a dead process left unanswered is taken on again at start and every ``SWEEP_SECONDS``,
by whichever process wins its lease, once it is ``GRACE`` seconds old (the setting
``CHATOPS_INBOX_GRACE_SECONDS``), so that a live worker, or a queue still holding it, is
not raced. The answer post carries a key, so a request
whose answer was posted just before the crash is not answered twice. After
``MAX_ATTEMPTS`` the asker is told, in one line, that it could not be answered.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt import BoltContext

from bot.logs import new_request_id, request_context
from bot.state import Received, State

log = logging.getLogger(__name__)
T = TypeVar("T")
GRACE = 120.0  # seconds a request is left to the process that took it, queue included
SWEEP_SECONDS = 30.0
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Route(Generic[T]):
    """What a kind of request is read into and who answers it. *name* names the lazy
    listener on AWS Lambda (Bolt finds it by name in the new invocation); *kind* names
    it in the inbox. ``answer(item, again)``: *again* when a request is taken on again
    after a crash (its delivery dedupe is bypassed, its answer looked for before it is
    posted). *refuse* says "busy"; *fail* tells the asker it could not be answered."""

    name: str
    kind: str
    read: Callable[[dict[str, Any], BoltContext], T | None]
    answer: Callable[[T, bool], None]
    key: Callable[[T, Mapping[str, Any]], str | None]
    refuse: Callable[[T], None] | None = None
    fail: Callable[[T, str], None] | None = None


class Inbox:
    def __init__(
        self,
        state: State,
        *,
        clock: Callable[[], float],
        owner: str,
        grace: float = GRACE,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.state, self.clock, self.owner = state, clock, owner
        # One attempt holds a request as long as the process that took it is left alone.
        self.grace, self.lease, self.sweep_seconds = grace, grace, sweep_seconds
        self.routes: dict[str, Route[Any]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Keys this process's workers are answering: its own periodic pass leaves them be.
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def _claim(self, key: str, now: float) -> bool:
        """Lease *key* for one attempt. Each attempt has an owner of its own, so that no two
        attempts (a worker and the periodic pass of one process, say) both hold it."""
        owner = f"{self.owner}/{uuid.uuid4().hex[:12]}"
        return self.state.claim_received(key, owner=owner, until=now + self.lease, now=now)

    def add(self, route: Route[Any]) -> None:
        self.routes[route.kind] = route

    # ------------------------------------------------------------ the acknowledging thread

    def receive(
        self, route: Route[T], item: T, body: dict[str, Any], context: BoltContext
    ) -> tuple[bool, str | None]:
        """Keep the request: (False, key) for a retry of one received before; (True, None)
        when it cannot be kept (no key, or the state refused it), and is answered anyway."""
        key = route.key(item, body)
        if key is None:
            return True, None
        # Slack's legacy verification token is never kept (nothing reads it again).
        payload = {k: v for k, v in body.items() if k != "token"}
        kept = {"body": payload, "bot_user_id": context.bot_user_id, "bot_id": context.bot_id}
        try:
            return self.state.receive(key, route.kind, kept, now=self.clock()), key
        except Exception:
            log.exception("could not keep %s in the inbox; answering it without", key)
            return True, None

    # ------------------------------------------------------------ the workers

    def run(self, route: Route[T], item: T, key: str | None) -> None:
        """Answer a request just received (on a worker). Another process has it when its
        lease is held elsewhere (it waited here longer than the grace)."""
        if key is None:
            route.answer(item, False)
            return
        with self._lock:
            self._in_flight.add(key)
        try:
            if not self._claim(key, self.clock()):
                log.info("%s was taken on again elsewhere while it waited", key)
                return
            route.answer(item, False)  # raising: left unanswered, taken on again later
            self.state.answered(key)
        finally:
            with self._lock:
                self._in_flight.discard(key)

    def refuse(self, route: Route[T], item: T, key: str | None) -> None:
        """Tell the asker the bot is busy: an answer."""
        assert route.refuse is not None
        route.refuse(item)
        if key is not None:
            self.state.answered(key)

    # ------------------------------------------------------------ taking requests on again

    def redo(self) -> int:
        """Take on every request left unanswered for the grace; returns how many were
        answered (or given up on) here."""
        now = self.clock()
        done = 0
        for received in self.state.unanswered(before=now - self.grace):
            with self._lock:
                if received.key in self._in_flight:
                    continue  # a worker here is answering it
            try:
                done += self._redo(received, now)
            except Exception:  # left for the next pass, which counts the attempt
                log.exception("could not answer %s again", received.key)
        return done

    def _redo(self, received: Received, now: float) -> bool:
        key = received.key
        if not self._claim(key, now):
            return False  # another attempt has it, or it was answered meanwhile
        route = self.routes.get(received.kind)
        kept = received.body
        item = None
        if route is not None:
            context = BoltContext(
                {"bot_user_id": kept.get("bot_user_id"), "bot_id": kept.get("bot_id")}
            )
            item = route.read(kept.get("body") or {}, context)
        if route is None or item is None:
            log.warning("%s (%s) cannot be read again; dropped", key, received.kind)
            self.state.answered(key)
            return True
        if received.attempts >= MAX_ATTEMPTS:
            request_id = new_request_id()
            with request_context(request_id):
                log.error(
                    "gave up on %s after %d attempts (request %s)",
                    key,
                    received.attempts,
                    request_id,
                )
                self.state.answered(key)  # first: the asker is told at most once
                if route.fail is not None:
                    route.fail(item, request_id)
            return True
        log.warning("answering %s again (attempt %d)", key, received.attempts + 1)
        route.answer(item, True)
        self.state.answered(key)
        return True

    # ------------------------------------------------------------ the periodic pass

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="inbox", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.sweep_seconds):
            try:
                self.redo()
            except Exception:  # the loop survives a state outage
                log.exception("inbox pass failed")
