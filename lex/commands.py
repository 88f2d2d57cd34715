"""`/ml <subcommand> ...`: deterministic parsing into the same Understanding as chat.

``/ml train xgboost s3://bucket/train.csv`` means StartTraining exactly; the
arguments are read by the same slot readers the local runtime uses. The
subcommands are the ``commands`` forms of ``lex/bot.toml``. Text that does not
start with a subcommand is understood as natural language.
"""

from __future__ import annotations

from dataclasses import dataclass

from lex.definition import BotDefinition
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
        missing = [s.name for s in intent.required_slots if s.name not in slots]
        if missing:
            return Parsed(None, f"Missing {', '.join(missing)}. Usage: `/ml {sub.usage}`")
        return Parsed(Understanding(intent.name, slots, source="command", confidence=1.0))

    def usage_lines(self) -> list[str]:
        return [f"/ml {sub.usage}" for sub in self.subcommands.values()]
