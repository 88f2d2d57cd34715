"""Writes the audit log: every answer, proposal, decision, refusal and failure."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from bot.state import AuditWriter, Plan
from intents.base import Request
from intents.reply import readable

_siem = logging.getLogger("chatops.audit")


class Auditor:
    """Every entry goes to the state backend (the AuditLog intent reads it) and, as one
    JSON line, to the ``chatops.audit`` logger (for a SIEM)."""

    def __init__(self, log: AuditWriter) -> None:
        self.log = log

    def _write(self, **entry: Any) -> None:
        self.log.audit(**entry)
        _siem.info(json.dumps({"audit": entry | {"at": round(time.time(), 3)}}, sort_keys=True))

    def request(self, request: Request, outcome: str, detail: str = "") -> None:
        self._write(
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
        self._write(
            request_id=request_id,
            user=user,
            channel=plan.channel,
            intent=plan.intent,
            slots={k: str(v) for k, v in plan.params.items() if isinstance(v, str | int | float)},
            outcome=outcome,
            detail=f"{plan.title}: {readable(detail)}" if detail else plan.title,
        )
