"""The bot definition (``lex/bot.toml``) as typed, validated values."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFINITION_PATH = Path(__file__).with_name("bot.toml")
_SLOT_REF = re.compile(r"\{(\w+)\}")
BUILTIN_TYPES = {"AMAZON.Time": "time"}  # built-in slot types the local runtime reads


@dataclass(frozen=True)
class SlotValue:
    value: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlotType:
    name: str
    description: str
    resolution: str  # "TopResolution" | "OriginalValue"
    extract: str  # name of the local extractor
    values: tuple[SlotValue, ...] = ()
    parent: str | None = None
    regex: str | None = None
    match_values: bool = True  # whether the canonical values are also said as such

    @property
    def builtin(self) -> bool:
        return self.name.startswith("AMAZON.")


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    required: bool
    prompt: str


@dataclass(frozen=True)
class Intent:
    name: str
    description: str
    area: str
    utterances: tuple[str, ...]
    slots: tuple[Slot, ...]
    mutating: bool = False
    confirmation: str | None = None
    declination: str | None = None
    parent: str | None = None
    example: str = ""  # shown in Help
    commands: tuple[str, ...] = ()  # `/ml` forms; the first word is the subcommand
    # The AWS API operations this intent does ("DeleteEndpoint"): a pasted CLI or SDK call
    # of one of them means this intent (local runtime only; never exported to Lex).
    aws_operations: tuple[str, ...] = ()

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    @property
    def required_slots(self) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if s.required)


@dataclass(frozen=True)
class BotDefinition:
    name: str
    description: str
    locale: str
    idle_session_ttl_seconds: int
    nlu_confidence_threshold: float
    voice: str
    intents: dict[str, Intent]
    slot_types: dict[str, SlotType]
    lexicon: dict[str, tuple[str, ...]]
    # intent -> alternatives; an alternative is groups of words, each group must match
    requires: dict[str, tuple[tuple[tuple[str, ...], ...], ...]]
    # slot name -> the keys that name it in `key: value`, `--key value` or `Key=value`
    slot_keys: dict[str, tuple[str, ...]]
    digest: str  # sha256 of the source file: what `lex deploy` compares

    def slot_type(self, name: str) -> SlotType:
        if name in self.slot_types:
            return self.slot_types[name]
        if name in BUILTIN_TYPES:
            return SlotType(name, name, "OriginalValue", BUILTIN_TYPES[name])
        raise KeyError(name)


class DefinitionError(ValueError):
    pass


def parse_definition(source: bytes) -> BotDefinition:
    raw = tomllib.loads(source.decode("utf-8"))
    bot = raw["bot"]
    slot_types = {
        name: SlotType(
            name=name,
            description=spec.get("description", ""),
            resolution=spec.get("resolution", "OriginalValue"),
            extract=spec["extract"],
            values=tuple(
                SlotValue(v["value"], tuple(v.get("synonyms", ()))) for v in spec.get("values", ())
            ),
            parent=spec.get("parent"),
            regex=spec.get("regex"),
            match_values=bool(spec.get("match_values", True)),
        )
        for name, spec in raw.get("slot_types", {}).items()
    }
    intents = {
        name: Intent(
            name=name,
            description=spec.get("description", ""),
            area=spec["area"],
            utterances=tuple(spec.get("utterances", ())),
            slots=tuple(
                Slot(s["name"], s["type"], bool(s.get("required", False)), s["prompt"])
                for s in spec.get("slots", ())
            ),
            mutating=bool(spec.get("mutating", False)),
            confirmation=spec.get("confirmation"),
            declination=spec.get("declination"),
            parent=spec.get("parent"),
            example=spec.get("example", ""),
            commands=tuple(spec.get("commands", ())),
            aws_operations=tuple(spec.get("aws_operations", ())),
        )
        for name, spec in raw["intents"].items()
    }
    local = raw.get("local", {})
    definition = BotDefinition(
        name=bot["name"],
        description=bot.get("description", ""),
        locale=bot.get("locale", "en_US"),
        idle_session_ttl_seconds=int(bot.get("idle_session_ttl_seconds", 300)),
        nlu_confidence_threshold=float(bot.get("nlu_confidence_threshold", 0.4)),
        voice=bot.get("voice", "Joanna"),
        intents=intents,
        slot_types=slot_types,
        lexicon={k: tuple(v) for k, v in local.get("lexicon", {}).items()},
        requires={
            k: tuple(_alternative(a) for a in v) for k, v in local.get("requires", {}).items()
        },
        slot_keys={k: tuple(v) for k, v in local.get("slot_keys", {}).items()},
        digest=hashlib.sha256(source).hexdigest(),
    )
    validate(definition)
    return definition


def _alternative(text: str) -> tuple[tuple[str, ...], ...]:
    """'a|b & c|d' -> (('a', 'b'), ('c', 'd'))."""
    return tuple(
        tuple(w.strip() for w in group.split("|") if w.strip()) for group in text.split("&")
    )


def validate(definition: BotDefinition) -> None:
    """Catch definition mistakes at load time rather than in Lex's build logs."""
    problems: list[str] = []
    subcommands: dict[str, str] = {}
    for intent in definition.intents.values():
        if not intent.example:
            problems.append(f"{intent.name}: needs an example (shown in Help)")
        if len(intent.description) > 200:
            problems.append(f"{intent.name}: Lex allows descriptions of up to 200 characters")
        for form in intent.commands:
            head = form.split()[0]
            if subcommands.setdefault(head, intent.name) != intent.name:
                problems.append(f"{intent.name}: /ml {head} is already {subcommands[head]}")
        names = {s.name for s in intent.slots}
        for slot in intent.slots:
            try:
                definition.slot_type(slot.type)
            except KeyError:
                problems.append(f"{intent.name}.{slot.name}: unknown slot type {slot.type}")
        for utterance in intent.utterances:
            for ref in _SLOT_REF.findall(utterance):
                if ref not in names:
                    problems.append(f"{intent.name}: utterance {utterance!r} uses unknown {ref}")
        if intent.parent is None and len(intent.utterances) < 15:
            problems.append(f"{intent.name}: needs at least 15 sample utterances")
        if intent.mutating and not intent.confirmation:
            problems.append(f"{intent.name}: a mutating intent needs a confirmation prompt")
    for name in definition.requires:
        if name not in definition.intents:
            problems.append(f"local.requires names an unknown intent {name}")
    slot_names = {s.name for i in definition.intents.values() for s in i.slots}
    for name in definition.slot_keys:
        if name not in slot_names:
            problems.append(f"local.slot_keys names an unknown slot {name}")
    operations: dict[str, str] = {}
    for intent in definition.intents.values():
        for operation in intent.aws_operations:
            key = re.sub(r"[^a-z0-9]", "", operation.lower())
            if operations.setdefault(key, intent.name) != intent.name:
                problems.append(
                    f"{intent.name}: AWS operation {operation} is already {operations[key]}"
                )
    if problems:
        raise DefinitionError("; ".join(problems))


@lru_cache(maxsize=4)
def load_definition(path: Path = DEFINITION_PATH) -> BotDefinition:
    return parse_definition(path.read_bytes())
