"""`/ml <subcommand> ...`: deterministic parsing into the same Understanding as chat.

``/ml train xgboost s3://bucket/train.csv`` means StartTraining exactly; the
arguments are read by the same slot readers the local runtime uses. Text that
does not start with a subcommand is understood as natural language.
"""

from __future__ import annotations

from dataclasses import dataclass

from lex.definition import BotDefinition
from lex.nlu import FALLBACK, Nlu, derive_slots
from lex.runtime import Understanding


@dataclass(frozen=True)
class Subcommand:
    intent: str
    usage: str


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand("Help", "help [training|endpoints|ai|cost|reports]"),
    "train": Subcommand(
        "StartTraining", "train <algorithm> <s3://dataset> [instance type] [name=value ...]"
    ),
    "status": Subcommand("TrainingStatus", "status [training job name]"),
    "stop": Subcommand("StopTraining", "stop <training job name>"),
    "autopilot": Subcommand("StartAutopilot", "autopilot <s3://dataset.csv> <target column>"),
    "jobs": Subcommand("ListJobs", "jobs [training|processing|labeling|compilation|autopilot]"),
    "endpoints": Subcommand("EndpointHealth", "endpoints [endpoint name]"),
    "health": Subcommand("EndpointHealth", "health [endpoint name]"),
    "deploy": Subcommand("DeployModel", "deploy <model name> [instance type]"),
    "delete": Subcommand("DeleteEndpoint", "delete <endpoint name>"),
    "invoke": Subcommand("InvokeEndpoint", "invoke <endpoint name> <CSV row or JSON>"),
    "predict": Subcommand("InvokeEndpoint", "predict <endpoint name> <CSV row or JSON>"),
    "labels": Subcommand("DetectLabels", "labels [s3://image] (or attach an image)"),
    "sentiment": Subcommand("AnalyzeSentiment", 'sentiment "<text>"'),
    "translate": Subcommand("TranslateText", 'translate <language> "<text>"'),
    "say": Subcommand("SynthesizeSpeech", 'say [voice] "<text>"'),
    "transcribe": Subcommand("TranscribeAudio", "transcribe [s3://audio] (or attach audio)"),
    "cost": Subcommand(
        "CostReport", "cost [today|yesterday|this week|last week|this month|last month] [service]"
    ),
    "costs": Subcommand("CostReport", "costs [period] [service]"),
    "budget": Subcommand("BudgetStatus", "budget [budget name]"),
    "budgets": Subcommand("BudgetStatus", "budgets [budget name]"),
    "monitor": Subcommand("MonitorSummary", "monitor [endpoint name]"),
    "idle": Subcommand("IdleResources", "idle"),
    "schedule": Subcommand(
        "ScheduleReport",
        "schedule <cost|endpoints|monitor|budget|idle> <hourly|daily|weekly|every monday> [at HH:MM]",
    ),
    "schedules": Subcommand("ListSchedules", "schedules"),
    "unschedule": Subcommand("CancelSchedule", "unschedule [report]"),
    "audit": Subcommand("AuditLog", "audit"),
}


@dataclass(frozen=True)
class Parsed:
    understanding: Understanding | None
    problem: str | None = None  # a usage message, when the command is incomplete or unknown


class CommandParser:
    def __init__(self, definition: BotDefinition, nlu: Nlu) -> None:
        self.definition = definition
        self.nlu = nlu

    def parse(self, text: str) -> Parsed:
        words = text.strip().split(maxsplit=1)
        if not words:
            return Parsed(Understanding("Help", source="command"))
        head = words[0].lower().lstrip("/")
        rest = words[1] if len(words) > 1 else ""
        sub = SUBCOMMANDS.get(head)
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
            # A single bare word is the one free-form argument (`/ml delete recsys`).
            for slot in intent.slots:
                if slot.name not in resolved:
                    value = self.nlu.read_slot(
                        intent, slot, analysis, eliciting=len(intent.required_slots) == 1
                    )
                    if value is not None and slot.required:
                        resolved[slot.name] = value
            derive_slots(intent.name, resolved)
            slots = {k: v.interpreted for k, v in resolved.items()}
        missing = [s.name for s in intent.required_slots if s.name not in slots]
        if missing:
            return Parsed(None, f"Missing {', '.join(missing)}. Usage: `/ml {sub.usage}`")
        return Parsed(Understanding(intent.name, slots, source="command", confidence=1.0))


def usage_lines() -> list[str]:
    seen: set[str] = set()
    lines = []
    for sub in SUBCOMMANDS.values():
        if sub.usage not in seen:
            seen.add(sub.usage)
            lines.append(f"/ml {sub.usage}")
    return lines
