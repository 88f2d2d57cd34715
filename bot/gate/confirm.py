"""Confirmation cards: propose a change, let the right person approve or cancel it once,
run it, and keep the card showing where it stands.

A plan moves pending -> approved -> done | failed (see :mod:`bot.gate.execute`), or
pending -> cancelled | expired. Deciding is one conditional write
(:meth:`bot.state.Plans.decide`), so of two clicks at once exactly one wins. Who may
decide comes from the policy (:mod:`bot.gate.access`): the requester, unless the
change needs a second person, or someone the policy lets approve. A typed yes or no
decides only the card of the thread it is typed in.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from bot.gate.access import Access, who_asks
from bot.gate.audit import Auditor
from bot.gate.execute import Execution, show_card
from bot.gate.outbox import Outbox
from bot.gate.runner import Runner
from bot.gate.types import Decision
from bot.policy import Who
from bot.render.cards import STATE_WORDS, card, card_content, clock
from bot.state import Plan, State
from intents.base import Request
from intents.deps import Deps
from intents.registry import IntentSpec
from intents.reply import Md, Proposal, Reply, md, mention

log = logging.getLogger(__name__)
Forget = Callable[[str, str, str, str | None], None]  # (team, channel, user, thread): drop it


class Confirmations:
    def __init__(
        self,
        deps: Deps,
        state: State,
        runner: Runner,
        outbox: Outbox,
        *,
        access: Access,
        ttl_seconds: float,
        forget: Forget,
        on_change: Callable[[], None],
    ) -> None:
        self.deps, self.state, self.runner, self.outbox = deps, state, runner, outbox
        self.audit: Auditor = runner.audit
        self.access = access
        self.ttl_seconds = ttl_seconds
        self._forget = forget
        self.execution = Execution(deps, state, runner, outbox, on_change=on_change)

    def propose(self, request: Request, spec: IntentSpec) -> tuple[Reply, Plan | None]:
        """Validate a mutating request and show what it would do, with Approve / Cancel.

        Every request gets its own card with its own slots; Lex forgets the conversation
        so that the next message starts afresh (cards, not Lex, hold what waits)."""
        self._forget(request.team, request.channel, request.user, request.thread_ts)
        existing = self.state.plan_by_origin(request.origin_key, request.intent)
        if existing is not None:
            log.info("plan %s already exists for this delivery", existing.id)
            return Reply.nothing(), None
        try:
            proposal = self.runner.call(spec, request)
            if not isinstance(proposal, Proposal):
                raise TypeError(f"{spec.name} is mutating but did not return a Proposal")
        except Exception as exc:
            return self.runner.failure(request, exc, "refused"), None
        second = self.access.second_person(request.user, proposal.risk)
        content = card_content(proposal) | {
            "second": str(second or ""),
            "approvers": str(self.access.approvers(request.intent)),
        }
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
            card=content,
        )
        self.audit.request(request, "proposed", proposal.title)
        return card(plan, "pending"), plan

    def typed(self, request: Request, *, approve: bool, intent: str | None = None) -> Md | None:
        """A typed yes or no: decide the pending card of this thread (in a DM, the only
        pending card there). Returns what to say back: empty when decided, None when
        there is no such card."""
        pending = self._pending_here(request, intent)
        if not pending:
            return None
        if len(pending) > 1:
            return md(
                "There are {n} cards waiting in this thread; use the buttons on the one you mean.",
                n=len(pending),
            )
        plan = pending[0]
        problem = self.decide(plan, who_asks(request), approve=approve, request_id=request.id)
        return problem or md("")

    def _pending_here(self, request: Request, intent: str | None) -> list[Plan]:
        found = (
            self.state.pending_plans(request.channel, request.thread_ts)
            if request.thread_ts
            else []
        )
        if not found and who_asks(request).dm:
            found = self.state.pending_plans(request.channel)
            found = found if len(found) == 1 else []
        return [p for p in found if intent is None or p.intent == intent]

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
        who = Who(
            decision.user,
            decision.user_team,
            decision.channel,
            decision.channel.startswith("D"),
            home=decision.team,
        )
        problem = self.decide(plan, who, approve=decision.approve, request_id=request_id)
        if problem:
            self.outbox.ephemeral(
                decision.channel, decision.user, Reply.text(problem), thread_ts=plan.thread_ts
            )
            return
        # Decided by button: Lex's pending "are you sure?" for the requester is moot now.
        self._forget(plan.team, plan.channel, plan.requester, plan.thread_ts)

    def decide(self, plan: Plan, who: Who, *, approve: bool, request_id: str) -> Md | None:
        """Approve or cancel a plan; returns why not, when *who* cannot (audited)."""
        now = self.deps.clock()
        if plan.state != "pending":
            by = mention(plan.decided_by) if plan.decided_by else md("someone")
            words = STATE_WORDS.get(plan.state, plan.state)
            return md("This request was already {s} by {w}; nothing more was done.", s=words, w=by)
        if now >= plan.expires_at:
            if self.state.expire(plan.id, now=now):
                show_card(self.outbox, self.state.plan(plan.id) or plan, "expired")
                self.audit.plan(plan, who.user, "expired", request_id)
            return md(
                "This request expired at {t} without approval; ask again for a new one.",
                t=clock(plan.expires_at),
            )
        problem = self._not_allowed(plan, who, approve)
        if problem is not None:
            self.audit.plan(plan, who.user, "refused", request_id, detail=str(problem))
            return problem
        outcome = "approved" if approve else "cancelled"
        if not self.state.decide(plan.id, state=outcome, by=who.user, now=now):
            fresh = self.state.plan(plan.id) or plan
            words = STATE_WORDS.get(fresh.state, fresh.state)
            return md("This request was already {s}; nothing more was done.", s=words)
        decided = self.state.plan(plan.id) or plan
        self.audit.plan(plan, who.user, outcome, request_id)
        if not approve:
            show_card(self.outbox, decided, "cancelled")
            return None
        show_card(self.outbox, decided, "running")
        self.execution.run(decided, who.user, request_id)
        return None

    def _not_allowed(self, plan: Plan, who: Who, approve: bool) -> Md | None:
        approvers = Md(plan.card.get("approvers") or "an approver")
        if who.user == plan.requester:
            second = plan.card.get("second")
            if approve and second:
                return md(
                    "This needs a second person ({r}). Ask {a} to approve it.",
                    r=Md(second),
                    a=approvers,
                )
            return None
        if self.access.may_approve(who, plan.intent):
            return None
        action = "approve" if approve else "cancel"
        return md(
            "Only {r} or {a} can {x} this request.",
            r=mention(plan.requester),
            a=approvers,
            x=action,
        )
