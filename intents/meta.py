"""Help, the fallback answer, and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from intents.aws import items, translate
from intents.base import Request
from intents.registry import Router
from intents.reply import (
    Block,
    Context,
    Header,
    Reply,
    Section,
    bold,
    channel_link,
    code,
    italic,
    join,
    lines,
    md,
    mention,
    shorten,
)
from lex.text import looks_like_name

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


@router.intent("Help", per_asker=True)  # lists what the asker may do
def help_(request: Request, deps: Deps) -> Reply:
    """Everything I can do for you here, grouped by area, with one example each."""

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
            if spec.name != "FallbackIntent" and deps.permissions.may_ask(request, spec.name)
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


_ALL = re.compile(r"\b(all|every|each|any)\s+(channels?|conversations?)\b|\beverywhere\b", re.I)
_ABOUT = re.compile(
    r"\b(who|which user|by whom)\b.*\b(delet|deploy|creat|stop|start|chang|updat|remov|launch)",
    re.I,
)
_NAME = re.compile(r"(?<![\w/.:-])([A-Za-z0-9](?:[A-Za-z0-9-]{1,61})[A-Za-z0-9])(?![\w/.:-])")
CLOUDTRAIL_DAYS = 90  # LookupEvents covers the last 90 days


def _scope(request: Request, deps: Deps) -> tuple[str, dict[str, str]]:
    """Whose entries the asker may see: this channel's; in a DM, their own; admins, all."""
    if _ALL.search(request.text) and deps.permissions.is_admin(request.user):
        return "every channel", {}
    if request.source == "dm" or request.channel.startswith("D"):
        return "your own requests", {"user": request.user}
    return "this channel", {"channel": request.channel}


@router.intent("AuditLog", per_asker=True)  # admins see more; a DM shows one's own
def audit_log(request: Request, deps: Deps) -> Reply:
    """Who did what through me in this channel (in a DM: your own requests), most recent
    first; asked about a resource ("who deleted endpoint X"), also what CloudTrail saw."""
    scope, where = _scope(request, deps)
    entries = deps.state.audit_entries(limit=20, **where)
    many_places = "channel" not in where
    rows = [
        md(
            "{t} · {u}{c} · {i} · {o}{d}",
            t=datetime.fromtimestamp(e.at, UTC).strftime("%b %d %H:%M"),
            u=mention(e.user),
            c=md(" in {x}", x=channel_link(e.channel)) if many_places else md(""),
            i=bold(e.intent),
            o=e.outcome,
            d=md(" · {x}", x=shorten(e.detail, 90)) if e.detail else md(""),
        )
        for e in entries
    ]
    blocks: list[Block] = [Header("Audit log")]
    blocks.append(
        Section(lines(*rows) if rows else md("Nothing in the audit log for {s} yet.", s=scope))
    )
    names = _resource_names(request.text) if _ABOUT.search(request.text) else []
    if names:
        blocks.extend(_cloudtrail(deps, names[0]))
    blocks.append(Context(md("Most recent first · {s} · times in UTC", s=scope)))
    return Reply(
        summary=f"Audit log for {scope}: {len(entries)} most recent entries", blocks=tuple(blocks)
    )


def _resource_names(text: str) -> list[str]:
    return [m for m in _NAME.findall(text) if looks_like_name(m)]


def _cloudtrail(deps: Deps, name: str) -> list[Block]:
    """What CloudTrail recorded about a SageMaker resource: changes made outside the bot too."""
    now = datetime.fromtimestamp(deps.clock(), UTC)
    try:
        events = list(
            islice(
                items(
                    deps.aws.cloudtrail.get_paginator("lookup_events").paginate(
                        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": name}],
                        StartTime=now - timedelta(days=CLOUDTRAIL_DAYS),
                        EndTime=now,
                        PaginationConfig={"PageSize": 50},
                    ),
                    lambda page: page.get("Events", []),
                ),
                200,
            )
        )
    except Exception as exc:
        known = translate(exc, action="CloudTrail LookupEvents")
        if known is None:
            raise
        where = "the offline sandbox has no CloudTrail" if deps.sandbox else known.message
        return [Context(md("CloudTrail could not be asked about {n}: {w}.", n=name, w=where))]
    changes = [
        e
        for e in events
        if e.get("EventSource") == "sagemaker.amazonaws.com"
        and e.get("ReadOnly", "false") != "true"
    ]
    if not changes:
        return [
            Section(
                md(
                    "*CloudTrail*: no changes to {n} in the last {d} days.",
                    n=code(name),
                    d=CLOUDTRAIL_DAYS,
                )
            )
        ]
    rows = [
        md(
            "{t} · {e} by {u}",
            t=e["EventTime"].strftime("%b %d %H:%M") if e.get("EventTime") else "?",
            e=bold(e.get("EventName", "?")),
            u=e.get("Username") or "unknown",
        )
        for e in changes[:10]
    ]
    return [Section(lines(md("*CloudTrail* (SageMaker changes to {n}):", n=code(name)), *rows))]
