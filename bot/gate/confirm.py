"""Confirmation cards: propose a change, let the right person approve or cancel it once,
run it, and keep the card showing where it stands.

A plan moves pending -> approved -> done | failed (see :mod:`bot.gate.execute`), or
pending -> cancelled | expired.
Deciding is one conditional write (:meth:`bot.state.Plans.decide`), so of two
clicks at once exactly one wins.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable

from bot.gate.audit import Auditor
from bot.gate.execute import Execution, show_card
from bot.gate.outbox import Outbox
from bot.gate.rules import may_decide
from bot.gate.runner import Runner
from bot.gate.types import Decision
from bot.render.cards import STATE_WORDS, card, card_content, clock
from bot.state import Plan, State
from intents.base import Request
from intents.deps import Deps
from intents.registry import IntentSpec
from intents.reply import Md, Proposal, Reply, md, mention

log = logging.getLogger(__name__)
Forget = Callable[[str, str, str], None]  # (team, channel, user): drop that Lex conversation


class Confirmations:
    def __init__(
        self,
        deps: Deps,
        state: State,
        runner: Runner,
        outbox: Outbox,
        *,
        approvers: Iterable[str],
        ttl_seconds: float,
        forget: Forget,
        on_change: Callable[[], None],
    ) -> None:
        self.deps, self.state, self.runner, self.outbox = deps, state, runner, outbox
        self.audit: Auditor = runner.audit
        self.approvers = frozenset(approvers)
        self.ttl_seconds = ttl_seconds
        self._forget = forget
        self.execution = Execution(deps, state, runner, outbox, on_change=on_change)

    def propose(self, request: Request, spec: IntentSpec) -> tuple[Reply, Plan | None]:
        """Validate a mutating request and show what it would do, with Approve / Cancel."""
        existing = self.state.plan_by_origin(request.origin_key, request.intent)
        if existing is not None:
            log.info("plan %s already exists for this delivery", existing.id)
            return Reply.nothing(), None
        try:
            proposal = self.runner.call(spec, request)
            if not isinstance(proposal, Proposal):
                raise TypeError(f"{spec.name} is mutating but did not return a Proposal")
        except Exception as exc:
            self._forget(request.team, request.channel, request.user)
            return self.runner.failure(request, exc, "refused"), None
        plan = self.state.add_plan(
            plan_id=secrets.token_urlsafe(16),
            intent=request.intent,
            params=dict(proposal.params),
            requester=request.user,
            team=request.team,
            channel=request.channel,
            thread_ts=request.thread_ts,
            request_id=request.id,
            origin_key=request.origin_key,
            title=proposal.title,
            ttl_seconds=self.ttl_seconds,
            now=self.deps.clock(),
            card=card_content(proposal),
        )
        self.audit.request(request, "proposed", proposal.title)
        return card(plan, "pending"), plan

    def by_text(self, request: Request, *, approve: bool, intent: str | None) -> Md | None:
        """The requester said yes or no in words: decide their latest pending card.

        Returns what to say back; None when there was no such card."""
        plan = self.state.latest_pending(request.channel, request.user, intent)
        if plan is None:
            return None
        problem = self.decide(plan, request.user, approve=approve, request_id=request.id)
        return problem or md("")

    def click(self, decision: Decision, request_id: str) -> None:
        plan = self.state.plan(decision.plan_id) if decision.plan_id else None
        if plan is None or plan.channel != decision.channel:
            log.warning("click on an unknown plan by %s", decision.user)
            self.outbox.ephemeral(
                decision.channel,
                decision.user,
                Reply.text(md("That request is unknown or no longer valid; nothing was done.")),
            )
            return
        problem = self.decide(plan, decision.user, approve=decision.approve, request_id=request_id)
        if problem:
            self.outbox.ephemeral(
                decision.channel, decision.user, Reply.text(problem), thread_ts=plan.thread_ts
            )
            return
        # Decided by button: Lex's pending "are you sure?" for the requester is moot now.
        self._forget(plan.team, plan.channel, plan.requester)

    def decide(self, plan: Plan, user: str, *, approve: bool, request_id: str) -> Md | None:
        """Approve or cancel a plan; returns why not, when the user cannot."""
        now = self.deps.clock()
        if plan.state != "pending":
            who = mention(plan.decided_by) if plan.decided_by else md("someone")
            words = STATE_WORDS.get(plan.state, plan.state)
            return md("This request was already {s} by {w}; nothing more was done.", s=words, w=who)
        if now >= plan.expires_at:
            if self.state.expire(plan.id, now=now):
                self._update_card(self.state.plan(plan.id) or plan, "expired")
                self.audit.plan(plan, user, "expired", request_id)
            return md(
                "This request expired at {t} without approval; ask again for a new one.",
                t=clock(plan.expires_at),
            )
        if not may_decide(plan, user, self.approvers):
            action = "approve" if approve else "cancel"
            return md(
                "Only {r} or an approver can {a} this request.", r=mention(plan.requester), a=action
            )
        outcome = "approved" if approve else "cancelled"
        if not self.state.decide(plan.id, state=outcome, by=user, now=now):
            fresh = self.state.plan(plan.id) or plan
            words = STATE_WORDS.get(fresh.state, fresh.state)
            return md("This request was already {s}; nothing more was done.", s=words)
        decided = self.state.plan(plan.id) or plan
        self.audit.plan(plan, user, outcome, request_id)
        if not approve:
            self._update_card(decided, "cancelled")
            return None
        self._update_card(decided, "running")
        self.execution.run(decided, user, request_id)
        return None

    def _update_card(self, plan: Plan, state: str) -> None:
        show_card(self.outbox, plan, state)
