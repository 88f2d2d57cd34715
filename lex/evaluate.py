"""`chatops nlu eval`: how well a runtime understands a JSONL file of labelled messages.

Each line: ``{"text": "...", "intent": "StartTraining", "slots": {"algorithm": "xgboost"}}``.
Every line is a fresh conversation (a new session id), scored on the first turn.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from lex.definition import BotDefinition
from lex.runtime import LexRuntime, parse_response

OUT_OF_SCOPE = "FallbackIntent"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    slots: dict[str, str]


@dataclass(frozen=True)
class Report:
    n: int
    intent_accuracy: float
    slot_precision: float
    slot_recall: float
    slot_f1: float
    mutating_false_positives: int
    wrong_mutating: int
    latency_ms_p50: float
    latency_ms_p99: float
    confused: list[tuple[str, str, int]]
    errors: list[dict[str, Any]]
    predictions: list[dict[str, Any]] = field(default_factory=list)
    # slot name -> {"tp", "fp", "fn", "f1"}: which readers miss what
    slots: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["confused"] = [{"expected": e, "got": g, "count": c} for e, g, c in self.confused]
        data.pop("predictions")
        return data


def load_examples(path: Path) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(
                Example(str(row["text"]), str(row["intent"]), dict(row.get("slots") or {}))
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not an evaluation line ({exc})") from None
    return examples


def part(example: Example) -> str:
    """``"tune"`` or ``"held-out"``: a fixed 70/30 split by a hash of the text, so a set
    can be tuned on while a part of it stays unseen."""
    digest = hashlib.sha256(example.text.encode("utf-8")).digest()
    return "held-out" if digest[0] % 10 < 3 else "tune"


def _norm(value: str) -> str:
    return str(value).strip().lower()


def evaluate(
    runtime: LexRuntime,
    examples: Iterable[Example],
    definition: BotDefinition,
    *,
    bot_id: str = "local",
    alias_id: str = "local",
    locale_id: str = "en_US",
    prepare: Callable[[str], str] = str.strip,
) -> Report:
    """Score *runtime* on *examples*; *prepare* turns each line's text into what the
    application would hand to language (the transport's markup removed)."""
    mutating = {name for name, intent in definition.intents.items() if intent.mutating}
    correct = tp = fp = fn = mutating_fp = wrong_mutating = 0
    predictions: list[dict[str, Any]] = []
    latencies: list[float] = []
    confusion: Counter[tuple[str, str]] = Counter()
    errors: list[dict[str, Any]] = []
    per_slot: dict[str, Counter[str]] = {}
    items = list(examples)
    for i, ex in enumerate(items):
        start = time.perf_counter()
        try:
            response = runtime.recognize_text(
                botId=bot_id,
                botAliasId=alias_id,
                localeId=locale_id,
                sessionId=f"eval-{i}-{int(start * 1e6)}",
                text=prepare(ex.text),
            )
            got = parse_response(response, "eval")
            intent, slots = got.intent, got.slots
        except ClientError:
            # Lex refuses empty or oversized text; for us that is "not understood".
            intent, slots = OUT_OF_SCOPE, {}
        latencies.append((time.perf_counter() - start) * 1000)
        if intent == ex.intent:
            correct += 1
        else:
            confusion[(ex.intent, intent)] += 1
        if ex.intent == OUT_OF_SCOPE and intent in mutating:
            mutating_fp += 1
        if intent in mutating and intent != ex.intent:
            wrong_mutating += 1  # a change nobody asked for, in or out of scope
        expected = {(k, _norm(v)) for k, v in ex.slots.items()}
        predicted = {(k, _norm(v)) for k, v in slots.items()}
        predictions.append(
            {
                "text": ex.text,
                "expected": ex.intent,
                "got": intent,
                "expected_slots": ex.slots,
                "got_slots": slots,
            }
        )
        tp += len(expected & predicted)
        fp += len(predicted - expected)
        fn += len(expected - predicted)
        for kind, pairs in (("tp", expected & predicted), ("fp", predicted - expected)):
            for name, _ in pairs:
                per_slot.setdefault(name, Counter())[kind] += 1
        for name, _ in expected - predicted:
            per_slot.setdefault(name, Counter())["fn"] += 1
        if intent != ex.intent or expected != predicted:
            errors.append(
                {
                    "text": ex.text,
                    "expected": ex.intent,
                    "got": intent,
                    "expected_slots": ex.slots,
                    "got_slots": slots,
                }
            )
    n = len(items)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else 0.0
    return Report(
        n=n,
        intent_accuracy=round(correct / n, 4) if n else 0.0,
        slot_precision=round(precision, 4),
        slot_recall=round(recall, 4),
        slot_f1=round(f1, 4),
        mutating_false_positives=mutating_fp,
        wrong_mutating=wrong_mutating,
        latency_ms_p50=round(statistics.median(latencies), 3) if latencies else 0.0,
        latency_ms_p99=round(p99, 3),
        confused=[(e, g, c) for (e, g), c in confusion.most_common(10)],
        errors=errors,
        predictions=predictions,
        slots={name: _slot_figures(c) for name, c in sorted(per_slot.items())},
    )


def _slot_figures(counts: Counter[str]) -> dict[str, float]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "f1": round(f1, 4)}


def format_report(report: Report, *, show_errors: int = 0) -> str:
    lines = [
        f"examples            {report.n}",
        f"intent accuracy     {report.intent_accuracy:.3f}",
        f"slot precision      {report.slot_precision:.3f}",
        f"slot recall         {report.slot_recall:.3f}",
        f"slot F1             {report.slot_f1:.3f}",
        f"out-of-scope lines that became a mutating intent: {report.mutating_false_positives}",
        f"lines sent to a mutating intent not their own: {report.wrong_mutating}",
        f"latency             p50 {report.latency_ms_p50:.2f} ms, p99 {report.latency_ms_p99:.2f} ms",
    ]
    if report.confused:
        lines.append("most confused (expected -> got):")
        lines += [f"  {c:3d}  {e} -> {g}" for e, g, c in report.confused]
    for err in report.errors[:show_errors]:
        lines.append(
            f"  x {err['text']!r}: {err['expected']} {err['expected_slots']} "
            f"-> {err['got']} {err['got_slots']}"
        )
    return "\n".join(lines)
