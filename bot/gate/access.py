"""The permission policy applied to requests and cards: who may ask, who may approve, and
which changes need a second person. Also the view of it handlers get (Help, the audit log)."""

from __future__ import annotations

from bot.policy import Policy, Who
from intents.base import Request
from intents.registry import IntentSpec, Registry
from intents.reply import Md, Risk


def who_asks(request: Request) -> Who:
    return Who(
        user=request.user,
        team=request.user_team,
        channel=request.channel,
        dm=request.source == "dm" or request.channel.startswith("D"),
        home=request.team,
    )


class Access:
    def __init__(self, policy: Policy, registry: Registry) -> None:
        self.policy = policy
        self.registry = registry

    def _area(self, intent: str) -> str:
        spec = self.registry.specs.get(intent)
        return spec.area if spec else ""

    def denial(self, request: Request, spec: IntentSpec) -> Md | None:
        """Why the asker may not ask for this here, or None."""
        return self.policy.may_ask(who_asks(request), spec.name, spec.area, spec.mutating)

    def second_person(self, requester: str, risk: Risk) -> Md | None:
        """Why a change needs an approver other than its requester, or None."""
        return self.policy.second_person.reason(requester, risk)

    def may_approve(self, who: Who, intent: str) -> bool:
        return self.policy.may_approve(who, intent, self._area(intent))

    def approvers(self, intent: str) -> Md:
        return self.policy.approvers(intent, self._area(intent))

    # ------------------------------------------------------------------ for handlers

    def may_ask(self, request: Request, intent: str) -> bool:
        spec = self.registry.specs.get(intent)
        return spec is not None and self.denial(request, spec) is None

    def is_admin(self, user: str) -> bool:
        return self.policy.is_admin(user)
