"""Runs handlers: the settings gate before, errors turned into short replies after, audited.

Identical read-only questions close together share one handler run (bot.gate.shared)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from bot.gate.audit import Auditor
from bot.gate.rules import missing_settings
from bot.gate.shared import SharedReads, shared_key
from bot.render.notices import error_reply, internal_error_reply
from intents.aws import translate
from intents.base import Request
from intents.deps import Deps
from intents.errors import InvalidInput, NotFound, Refused, UserError
from intents.registry import IntentSpec
from intents.reply import Proposal, Reply

log = logging.getLogger(__name__)


class Runner:
    def __init__(
        self,
        deps: Deps,
        audit: Auditor,
        env_name: Callable[[str], str],
        *,
        shared_seconds: float = 0.0,
    ) -> None:
        self.deps = deps
        self.audit = audit
        self._env_name = env_name  # a settings attribute -> the variable a person sets
        self.shared: SharedReads[Reply | Proposal] = SharedReads(shared_seconds)

    def call(self, spec: IntentSpec, request: Request) -> Reply | Proposal:
        """The handler's own result; raises Refused when a setting it needs is missing."""
        missing = missing_settings(spec, self.deps.settings)
        if missing:
            names = ", ".join(self._env_name(n) for n in missing)
            raise Refused(
                f"This needs a setting the bot doesn't have yet: {names}.",
                hint="Ask whoever runs the bot to set it.",
            )
        return spec.handler(request, self.deps)

    def answer(self, spec: IntentSpec, request: Request) -> Reply:
        """A read-only handler's reply; a Proposal here is a bug, never a way past the gate."""
        result = self.shared.get(shared_key(spec, request), lambda: self.call(spec, request))
        if isinstance(result, Proposal):
            raise TypeError(f"{spec.name} returned a Proposal but is not mutating")
        return result

    def run(self, request: Request, spec: IntentSpec) -> Reply:
        """Run a read-only handler; every failure becomes a short reply."""
        try:
            reply = self.answer(spec, request)
        except Exception as exc:
            return self.failure(request, exc)
        self.audit.request(request, "answered")
        self.remember_subjects(request, reply)
        return reply

    def remember_subjects(self, request: Request, reply: Reply) -> None:
        """What the answer was about becomes what its thread is about."""
        if not request.thread_ts or reply.ephemeral:
            return
        for kind, name in reply.about:
            self.deps.state.note_subject(
                request.channel, request.thread_ts, kind, name, now=self.deps.clock()
            )

    def failure(self, request: Request, exc: BaseException, outcome: str = "error") -> Reply:
        """A short reply with the request id; the traceback goes to the log, never the channel."""
        known = exc if isinstance(exc, UserError) else translate(exc)
        if known is not None:
            log.info("%s refused: %s", request.intent, known.message)
            self.audit.request(
                request, "refused" if isinstance(known, Refused) else outcome, known.message
            )
            reply = error_reply(known, request.id)
            # What only the asker can fix (their input, a rule, a name) is for them only;
            # AWS trouble and missing services are news for the whole thread.
            if isinstance(known, InvalidInput | Refused | NotFound):
                reply = dataclasses.replace(reply, ephemeral=True)
            return reply

        log.error("%s failed", request.intent, exc_info=exc)
        self.audit.request(request, outcome, type(exc).__name__)
        return internal_error_reply(request.id)
