"""Running an approved plan: the executor once, its outcome on the card, audited."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.gate.outbox import Outbox
from bot.gate.runner import Runner
from bot.logs import request_context
from bot.render.cards import card
from bot.state import Plan, State, process_id
from intents.base import Approved, Request
from intents.deps import Deps
from intents.reply import Reply

log = logging.getLogger(__name__)
# How long a run may take before another process may take it over (executors take seconds).
PLAN_LEASE_SECONDS = 120.0


def show_card(outbox: Outbox, plan: Plan, state: str, outcome: Reply | None = None) -> None:
    """Draw the plan's card in *state*, in place when possible."""
    reply = card(plan, state, outcome)
    if plan.card_ts and outbox.update(plan.channel, plan.card_ts, reply):
        return
    outbox.post(plan.channel, reply, thread_ts=plan.thread_ts)


class Execution:
    def __init__(
        self,
        deps: Deps,
        state: State,
        runner: Runner,
        outbox: Outbox,
        *,
        on_change: Callable[[], None],
    ) -> None:
        self.deps, self.state, self.runner, self.outbox = deps, state, runner, outbox
        self._on_change = on_change
        self.owner = process_id()

    def run(self, plan: Plan, approver: str, request_id: str) -> bool:
        """Run an approved plan's executor and show the outcome on its card. The run is
        leased: while one process runs it, no other does; if that process dies, the lease
        runs out and another resumes it. False when another process holds it."""
        now = self.deps.clock()
        if not self.state.claim_plan(
            plan.id, owner=self.owner, until=now + PLAN_LEASE_SECONDS, now=now
        ):
            log.info("plan %s is being run elsewhere", plan.id)
            return False
        executor = self.deps.registry.executors[plan.intent]
        approved = Approved(
            plan_id=plan.id,
            intent=plan.intent,
            params=plan.params,
            requester=plan.requester,
            approver=approver,
            channel=plan.channel,
            thread_ts=plan.thread_ts or plan.card_ts,
            request_id=plan.request_id,
            origin_key=plan.origin_key,
        )
        request = Request(
            id=request_id,
            intent=plan.intent,
            slots={},
            user=approver,
            channel=plan.channel,
            team=plan.team,
            thread_ts=approved.thread_ts,
        )
        try:
            outcome = executor(approved, self.deps)
        except Exception as exc:
            reply = self.runner.failure(request, exc, "failed")
            self.state.finish_plan(plan.id, state="failed", outcome=reply.summary[:500])
            show_card(self.outbox, self.state.plan(plan.id) or plan, "failed", reply)
            return True
        self.state.finish_plan(plan.id, state="done", outcome=outcome.summary[:500])
        self.runner.audit.request(request, "done", outcome.summary)
        show_card(self.outbox, self.state.plan(plan.id) or plan, "done", outcome)
        self._on_change()
        return True

    def resume(self) -> int:
        """Approved plans whose run never finished (the process stopped between the
        approval and the end of the run) are run again. Executors are idempotent: the
        names they create are fixed by the plan, so "does it exist already?" is how a
        second run finds the first one's work and completes it instead of repeating it."""
        resumed = 0
        for plan in self.state.unfinished_plans():
            with request_context(plan.request_id):
                if self.run(plan, plan.decided_by or plan.requester, plan.request_id):
                    log.warning(
                        "resumed %s (plan %s), approved before a restart", plan.intent, plan.id
                    )
                    resumed += 1
        return resumed
