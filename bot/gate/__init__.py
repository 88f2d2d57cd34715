"""The one gate every request passes: understand -> route -> propose/approve -> run -> audit.

A :class:`Message` (plain text, transport details removed) becomes an understood
:class:`intents.base.Request`; read-only intents are answered, mutating ones
become confirmation cards (:mod:`bot.gate.confirm`); every answer is audited and
every failure becomes a short reply with a request id. The gate talks to the
chat only through an :class:`bot.gate.outbox.Outbox`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.gate.access import Access
from bot.gate.audit import Auditor
from bot.gate.confirm import Confirmations
from bot.gate.dialog import FALLBACK, Step, next_step
from bot.gate.guard import Guard, Reading
from bot.gate.outbox import Outbox
from bot.gate.rules import answer_overheard
from bot.gate.runner import Runner
from bot.gate.types import Answer, Decision, Message
from bot.gate.understand import Commands, Understander, understand
from bot.policy import Policy
from bot.render.notices import internal_error_reply
from bot.state import State
from intents.base import Request
from intents.deps import Deps
from intents.reply import Reply, md, readable
from lex.local import yes_or_no
from lex.runtime import Understanding, session_id

log = logging.getLogger(__name__)

__all__ = ["Answer", "Decision", "Gate", "Message"]


class Gate:
    def __init__(
        self,
        deps: Deps,
        state: State,
        understander: Understander,
        commands: Commands,
        outbox: Outbox,
        *,
        access: Access | None = None,
        ttl_seconds: float = 900,
        env_name: Callable[[str], str] = str.upper,
        on_change: Callable[[], None] = lambda: None,
        guard: Guard | None = None,
        shared_read_seconds: float = 0.0,
    ) -> None:
        self.deps, self.state, self.guard = deps, state, guard
        self.understander, self.commands, self.outbox = understander, commands, outbox
        self.runner = Runner(deps, Auditor(state), env_name, shared_seconds=shared_read_seconds)
        self.access = access or Access(Policy(), deps.registry)

        def changed() -> None:  # a change was made: no answer read before it is shared after
            self.runner.shared.clear()
            on_change()

        self.confirmations = Confirmations(
            deps,
            state,
            self.runner,
            outbox,
            access=self.access,
            ttl_seconds=ttl_seconds,
            forget=self.forget,
            on_change=changed,
        )

    def answer(self, message: Message, request_id: str, reading: Reading | None = None) -> Answer:
        """The answer to one message (or to a clarifying question's button: its *reading*);
        never raises (a failure is a short reply)."""
        try:
            return self._answer(message, request_id, reading)
        except Exception:
            log.exception("failed to answer %s from %s", message.source, message.user)
            reply = internal_error_reply(request_id) if message.addressed else Reply.nothing()
            return Answer(reply)

    def click(self, decision: Decision, request_id: str) -> None:
        """Approve or Cancel on a card; refusals are shown to the clicker only."""
        try:
            self.confirmations.click(decision, request_id)
        except Exception:
            log.exception("failed to handle a decision on %s", decision.plan_id)
            self.outbox.ephemeral(decision.channel, decision.user, internal_error_reply(request_id))

    def run(self, request: Request) -> Reply:
        """Run a read-only intent directly (scheduled reports): the same errors and audit."""
        return self.runner.run(request, self.deps.registry.specs[request.intent])

    def forget(self, team: str, channel: str, user: str, thread_ts: str | None = None) -> None:
        """Drop the Lex conversation of one person in one place (a thread, or a DM)."""
        self.understander.reset(session_id(team, channel, user, thread_ts))

    # ------------------------------------------------------------------ understanding

    def _answer(self, message: Message, request_id: str, reading: Reading | None) -> Answer:
        guard = self.guard
        if reading is not None and guard is not None:
            understood = guard.understood(message, reading, request_id)
        else:
            understood = understand(message, request_id, self.understander, self.commands)
        if guard is not None and not isinstance(understood, Reply):
            understood = guard.review(message, understood)  # Lex and local alike
        if isinstance(understood, Reply):
            return Answer(understood)
        return self._route(message, understood.request, understood.understanding)

    def _route(self, message: Message, request: Request, u: Understanding) -> Answer:
        spec = self.deps.registry.specs.get(u.intent)
        yes_no = yes_or_no(request.text) if u.intent == FALLBACK else None
        if yes_no is not None:
            # A yes or no decides the card of this thread, whoever types it (and the policy
            # says whether they may); elsewhere it decides nothing.
            said = self.confirmations.typed(request, approve=yes_no)
            if said is not None:
                return Answer(Reply.text(said, ephemeral=True) if said else Reply.nothing())
        step = next_step(
            u,
            addressed=message.addressed,
            known=spec is not None,
            mutating=bool(spec and spec.mutating),
        )
        if step is Step.OVERHEARD:
            return Answer(self._overheard(request, u))
        if step is Step.IGNORE:
            return Answer(Reply.nothing())
        if step is Step.SAY:
            default = "OK, I've dropped that." if u.state == "Failed" else ""
            return Answer(Reply.text(md("{m}", m=u.message or default)))
        if step is Step.FALLBACK:
            return Answer(self.runner.run(request, self.deps.registry.specs[FALLBACK]))
        if step is Step.DENIED:
            self.confirmations.typed(request, approve=False, intent=request.intent)
            return Answer(Reply.text(md("{m}", m=u.message or "OK, cancelled.")))
        assert spec is not None
        if step is Step.CONFIRMED:
            said = self.confirmations.typed(request, approve=True, intent=request.intent)
            if said is None:
                return Answer(
                    Reply.text(
                        md(
                            "There's no card waiting for your confirmation in this thread"
                            " (it may have expired). Ask again and I'll prepare a new one."
                        ),
                        ephemeral=True,
                    )
                )
            return Answer(Reply.text(said, ephemeral=True) if said else Reply.nothing())
        denial = self.access.denial(request, spec)
        if denial is not None:
            self.runner.audit.request(request, "denied", readable(denial))
            self.forget(request.team, request.channel, request.user, request.thread_ts)
            return Answer(Reply.text(md(":no_entry: Sorry, {d}.", d=denial), ephemeral=True))
        if step is Step.PROPOSE:
            reply, plan = self.confirmations.propose(request, spec)
            return Answer(reply, plan.id if plan else None)
        return Answer(self.runner.run(request, spec))

    def _overheard(self, request: Request, u: Understanding) -> Reply:
        spec = self.deps.registry.specs.get(u.intent)
        if not answer_overheard(u, spec) or (spec and self.access.denial(request, spec)):
            self.forget(request.team, request.channel, request.user, request.thread_ts)
            return Reply.nothing()
        assert spec is not None
        try:
            reply = self.runner.answer(spec, request)
        except Exception:
            log.info("overheard %s could not be answered; staying quiet", u.intent, exc_info=True)
            return Reply.nothing()
        self.runner.audit.request(request, "answered")
        self.runner.remember_subjects(request, reply)
        return reply
