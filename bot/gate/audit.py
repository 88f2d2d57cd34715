"""Writes the audit log: every answer, proposal, decision, refusal and failure."""

from __future__ import annotations

from bot.state import AuditWriter, Plan
from intents.base import Request
from intents.reply import readable


class Auditor:
    def __init__(self, log: AuditWriter) -> None:
        self.log = log

    def request(self, request: Request, outcome: str, detail: str = "") -> None:
        self.log.audit(
            request_id=request.id,
            user=request.user,
            channel=request.channel,
            intent=request.intent,
            slots=dict(request.slots),
            outcome=outcome,
            detail=detail,
        )

    def plan(
        self, plan: Plan, user: str, outcome: str, request_id: str, *, detail: str = ""
    ) -> None:
        self.log.audit(
            request_id=request_id,
            user=user,
            channel=plan.channel,
            intent=plan.intent,
            slots={k: str(v) for k, v in plan.params.items() if isinstance(v, str | int | float)},
            outcome=outcome,
            detail=f"{plan.title}: {readable(detail)}" if detail else plan.title,
        )
