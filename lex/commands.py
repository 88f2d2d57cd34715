"""`/ml <subcommand> ...`: deterministic parsing into the same Understanding as chat.

``/ml train xgboost s3://bucket/train.csv`` means StartTraining exactly; the
arguments are read by the same slot readers the local runtime uses. The
subcommands are the ``commands`` forms of ``lex/bot.toml``. Text that does not
start with a subcommand is understood as natural language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lex.definition import BotDefinition, Intent
from lex.nlu import FALLBACK, Nlu, derive_slots
from lex.runtime import Understanding


@dataclass(frozen=True)
class Subcommand:
    intent: str
    usage: str  # the form, e.g. "stop <training job name>"


@dataclass(frozen=True)
class Parsed:
    understanding: Understanding | None
    problem: str | None = None  # a usage message, when the command is incomplete or unknown


def subcommands(definition: BotDefinition) -> dict[str, Subcommand]:
    """First word of each `/ml` form -> its intent and usage, in definition order."""
    return {
        form.split()[0]: Subcommand(intent.name, form)
        for intent in definition.intents.values()
        for form in intent.commands
    }


class CommandParser:
    def __init__(self, definition: BotDefinition, nlu: Nlu) -> None:
        self.definition = definition
        self.nlu = nlu
        self.subcommands = subcommands(definition)

    def parse(self, text: str) -> Parsed:
        words = text.strip().split(maxsplit=1)
        if not words:
            return Parsed(Understanding("Help", source="command"))
        head = words[0].lower().lstrip("/")
        rest = words[1] if len(words) > 1 else ""
        sub = self.subcommands.get(head)
        if sub is None:
            result = self.nlu.parse(text)
            if result.intent == FALLBACK:
                return Parsed(None, f"I don't know the command `{words[0][:40]}`.")
            return Parsed(
                Understanding(
                    result.intent,
                    {k: v.interpreted for k, v in result.slots.items()},
                    confidence=result.confidence,
                    source="command",
                )
            )
        intent = self.definition.intents[sub.intent]
        analysis = self.nlu.analyze(rest) if rest else None
        slots = {}
        if analysis is not None:
            resolved = self.nlu.read_slots(intent.name, analysis)
            # A single bare word is the one free-form argument (`/ml delete recsys`), also
            # of a form whose only argument is optional (`/ml budget nosuch` asks about
            # nosuch, and hears there is no such budget, rather than seeing them all).
            only = len(intent.slots) == 1
            for slot in intent.slots:
                if slot.name not in resolved:
                    value = self.nlu.read_slot(
                        intent, slot, analysis, eliciting=len(intent.required_slots) == 1 or only
                    )
                    if value is not None and (slot.required or only):
                        resolved[slot.name] = value
            derive_slots(intent.name, resolved)
            slots = {k: v.interpreted for k, v in resolved.items()}
            _positional(intent, rest, slots)
        missing = [s for s in intent.required_slots if s.name not in slots]
        if missing:
            # The slot's own question, never its name: "Which training job should I stop?"
            return Parsed(None, f"{missing[0].prompt} Usage: `/ml {sub.usage}`")
        return Parsed(Understanding(intent.name, slots, source="command", confidence=1.0))

    def usage_lines(self) -> list[str]:
        return [f"/ml {sub.usage}" for sub in self.subcommands.values()]


def _positional(intent: Intent, rest: str, slots: dict[str, str]) -> None:
    """A form's one free-form argument given bare, in any order: `/ml autopilot churned
    s3://bucket/train.csv` or `/ml autopilot s3://bucket/train.csv label` (a word the
    readers take for vocabulary). Only when exactly one word is left over."""
    missing = [s for s in intent.required_slots if s.name not in slots and s.type == "ColumnName"]
    if len(missing) != 1:
        return
    taken = {v.lower() for v in slots.values()}
    left = [
        w
        for w in rest.split()
        if w.lower() not in taken and "://" not in w and "=" not in w and not w.startswith("<")
    ]
    if len(left) == 1 and re.fullmatch(r"[A-Za-z_][\w\-.]{0,127}", left[0]):
        slots[missing[0].name] = left[0]
