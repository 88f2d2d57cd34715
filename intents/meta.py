"""Help, the fallback answer, and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from intents.base import Request
from intents.registry import Router
from intents.reply import (
    Block,
    Context,
    Header,
    Reply,
    Section,
    bold,
    code,
    italic,
    join,
    lines,
    md,
    mention,
)

if TYPE_CHECKING:
    from intents.deps import Deps

router = Router("meta")

AREA_TITLES = {
    "training": "SageMaker training and jobs",
    "endpoints": "Endpoints",
    "ai": "AI service demos",
    "cost": "Cost and monitoring",
    "reports": "Scheduled reports",
    "meta": "About me",
}
# Help topics (the HelpTopic slot's values) are the areas; "cost" covers monitoring too.
TOPICS = ("training", "endpoints", "ai", "cost", "reports")


@router.intent("Help")
def help_(request: Request, deps: Deps) -> Reply:
    """Everything I can do, grouped by area, with one example each."""
    topic = request.slot("topic")
    grouped = deps.registry.by_area()
    areas = [topic] if topic in grouped else list(grouped)
    blocks: list[Block] = [
        Header("What I can do" + (f": {AREA_TITLES[topic]}" if topic in grouped else ""))
    ]
    for area in areas:
        entries = [
            md(
                "• {h}: {e}{m}",
                h=spec.help.rstrip("."),
                e=italic(spec.example),
                m=md(" _(asks first)_") if spec.mutating else md(""),
            )
            for spec in grouped[area]
            if spec.name != "FallbackIntent"
        ]
        if entries:
            blocks.append(Section(lines(bold(AREA_TITLES[area]), *entries)))
    blocks.append(
        Context(
            md(
                "Talk to me in my channel, mention me, DM me, or use {c}. Anything that spends money "
                "or changes production shows a confirmation card first.",
                c=code("/ml help"),
            )
        )
    )
    return Reply(summary="What I can do", blocks=tuple(blocks))


@router.intent("FallbackIntent")
def fallback(request: Request, deps: Deps) -> Reply:
    """When nothing else fits: a short pointer to what I understand."""
    examples = [
        italic(spec.example)
        for name in ("EndpointHealth", "TrainingStatus", "StartTraining")
        if (spec := deps.registry.specs.get(name))
    ]
    return Reply.text(
        md(
            "I didn't catch that. Try {e}, or {h} for everything I can do.",
            e=join(examples, ", "),
            h=bold("help"),
        )
    )


@router.intent("AuditLog")
def audit_log(request: Request, deps: Deps) -> Reply:
    """Who did what through me, most recent first."""
    entries = deps.state.audit_entries(limit=20)
    if not entries:
        return Reply.text(md("Nothing in the audit log yet."))
    rows = [
        md(
            "{t} · {u} · {i} · {o}{d}",
            t=datetime.fromtimestamp(e.at, UTC).strftime("%b %d %H:%M"),
            u=mention(e.user),
            i=bold(e.intent),
            o=e.outcome,
            d=md(" · {x}", x=e.detail[:80]) if e.detail else md(""),
        )
        for e in entries
    ]
    return Reply(
        summary=f"Audit log: {len(entries)} most recent entries",
        blocks=(
            Header("Audit log"),
            Section(lines(*rows)),
            Context(md("Most recent first · times in UTC")),
        ),
    )
