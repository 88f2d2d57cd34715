"""Stand-ins for the gate's collaborators: an outbox that records, a scripted language
runtime, and a small registry of handlers (injected, never patched)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intents.base import Approved, Request
from intents.errors import InvalidInput
from intents.registry import IntentSpec, Registry
from intents.reply import Proposal, Reply, md
from lex.commands import Parsed
from lex.runtime import Understanding


@dataclass
class Sent:
    kind: str  # post | update | ephemeral | respond
    channel: str
    reply: Reply
    ts: str | None = None
    user: str | None = None
    thread_ts: str | None = None


@dataclass
class FakeOutbox:
    sent: list[Sent] = field(default_factory=list)
    updatable: bool = True
    _n: int = 0

    def post(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str | None:
        self._n += 1
        ts = f"100.{self._n:06d}"
        self.sent.append(Sent("post", channel, reply, ts=ts, thread_ts=thread_ts))
        return ts

    def update(self, channel: str, ts: str, reply: Reply) -> bool:
        self.sent.append(Sent("update", channel, reply, ts=ts))
        return self.updatable

    def ephemeral(
        self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        self.sent.append(Sent("ephemeral", channel, reply, user=user, thread_ts=thread_ts))

    def respond(self, response_url: str, reply: Reply) -> None:
        self.sent.append(Sent("respond", response_url, reply))

    def kinds(self) -> list[str]:
        return [s.kind for s in self.sent]


class ScriptedUnderstander:
    """Answers ``understand`` with what the test scripted for each text."""

    def __init__(self, script: dict[str, Understanding] | None = None) -> None:
        self.script = dict(script or {})
        self.resets: list[str] = []
        self.heard: list[str] = []

    def understand(self, session: str, text: str, *, request_id: str = "") -> Understanding:
        self.heard.append(text)
        return self.script.get(text, Understanding("FallbackIntent"))

    def reset(self, session: str) -> None:
        self.resets.append(session)


class FixedCommands:
    def __init__(self, parsed: Parsed | None = None) -> None:
        self.parsed = parsed or Parsed(None, "I don't know the command `x`.")

    def parse(self, text: str) -> Parsed:
        return self.parsed


@dataclass
class Calls:
    handled: list[str] = field(default_factory=list)
    executed: list[dict[str, Any]] = field(default_factory=list)
    executor_fails: bool = False


def registry(calls: Calls) -> Registry:
    """Echo (read-only), Change (mutating, with an executor), Boom (fails), Picky (needs a
    setting), Refusing (a guardrail says no), and the fallback."""

    def echo(request: Request, deps: Any) -> Reply:
        calls.handled.append(f"Echo {dict(request.slots)}")
        return Reply.text(md("echo {t}", t=request.slot("thing") or "-"))

    def change(request: Request, deps: Any) -> Proposal:
        calls.handled.append(f"Change {dict(request.slots)}")
        return Proposal(
            title=f"Change {request.slot('thing')}",
            summary=md("Change {t}.", t=request.slot("thing")),
            params={"thing": request.slot("thing")},
        )

    def run_change(approved: Approved, deps: Any) -> Reply:
        if calls.executor_fails:
            raise RuntimeError("AWS exploded")
        calls.executed.append(dict(approved.params) | {"approver": approved.approver})
        return Reply.text(md("changed {t}", t=approved.params["thing"]))

    def boom(request: Request, deps: Any) -> Reply:
        raise RuntimeError("secret internals")

    def refusing(request: Request, deps: Any) -> Proposal:
        raise InvalidInput("That thing cannot be changed.")

    def fallback(request: Request, deps: Any) -> Reply:
        return Reply.text(md("I didn't catch that."))

    def spec(
        name: str, handler: Any, *, mutating: bool = False, requires: tuple[str, ...] = ()
    ) -> IntentSpec:
        return IntentSpec(
            name, "meta", handler, help=name, example=name, mutating=mutating, requires=requires
        )

    specs = {
        "Echo": spec("Echo", echo),
        "Change": spec("Change", change, mutating=True),
        "Boom": spec("Boom", boom),
        "Picky": spec("Picky", echo, requires=("sagemaker_role_arn",)),
        "Refusing": spec("Refusing", refusing, mutating=True),
        "FallbackIntent": spec("FallbackIntent", fallback),
    }
    return Registry(specs, {"Change": run_change, "Refusing": run_change}, {})
