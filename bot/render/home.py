"""The App Home tab: what a person has waiting, what the bot follows, what is scheduled.

Slack shows it when someone opens the app (``app_home_opened``); the bot publishes it with
``views.publish``. It is built from the same reply values as every answer and laid out by
the same renderer (:func:`bot.render.blocks.to_blocks`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.render.blocks import to_blocks
from bot.render.cards import clock
from bot.state import Plan
from intents.reply import (
    Block,
    Context,
    Divider,
    Header,
    Reply,
    Section,
    bold,
    channel_link,
    code,
    lines,
    md,
)
from intents.schedules import REPORT_TITLES, describe, next_run
from intents.state import Follow, Schedule
from intents.status import status_icon, status_text

MAX_ROWS = 15


def home_reply(
    user: str,
    *,
    pending: list[Plan],
    follows: list[Follow],
    schedules: list[Schedule],
    now: float,
) -> Reply:
    """The home tab of *user*: their cards waiting for a decision, the jobs and endpoints
    the bot follows in its channels, and the reports scheduled there."""
    blocks: list[Block] = [Header("ML Ops assistant")]
    waiting = [p for p in pending if p.expires_at > now]
    blocks.append(Section(bold("Your cards waiting for a decision")))
    if waiting:
        rows = [
            md(
                "• {t} in {c} · expires at {e}",
                t=bold(p.title),
                c=channel_link(p.channel),
                e=clock(p.expires_at),
            )
            for p in waiting[:MAX_ROWS]
        ]
        blocks.append(Section(lines(*rows)))
    else:
        blocks.append(Context(md("Nothing waiting: every card you asked for has been decided.")))
    blocks.append(Divider())
    blocks.append(Section(bold("Jobs and endpoints I'm following")))
    if follows:
        rows = [
            md(
                "{i} {n} ({k}) · {s} · in {c}",
                i=status_icon(f.last_status.split("/")[0] or "InProgress"),
                n=code(f.name),
                k=f.kind,
                s=status_text(f.last_status.split("/")[-1]) if f.last_status else "starting",
                c=channel_link(f.channel),
            )
            for f in sorted(follows, key=lambda f: -f.started_at)[:MAX_ROWS]
        ]
        blocks.append(Section(lines(*rows)))
    else:
        blocks.append(
            Context(
                md(
                    "Nothing in progress. Start something with a card, e.g. {e}.",
                    e=code("train xgboost on s3://bucket/train.csv"),
                )
            )
        )
    blocks.append(Divider())
    blocks.append(Section(bold("Scheduled reports")))
    if schedules:
        at = datetime.fromtimestamp(now, UTC)
        rows = []
        for s in schedules[:MAX_ROWS]:
            upcoming = next_run(s.frequency, s.time, s.day, at)
            rows.append(
                md(
                    "• The {r} report in {c}, {w}{n}",
                    r=REPORT_TITLES.get(s.report, s.report),
                    c=channel_link(s.channel),
                    w=describe(s.frequency, s.time, s.day),
                    n=md(" · next {t}", t=upcoming.strftime("%a %b %d %H:%M UTC"))
                    if upcoming
                    else md(""),
                )
            )
        blocks.append(Section(lines(*rows)))
    else:
        blocks.append(
            Context(
                md(
                    "None yet: try {e} in my channel.",
                    e=code("post the cost report every monday at 9am"),
                )
            )
        )
    blocks.append(
        Context(
            md(
                "Talk to me in the Messages tab, in my channels, or with {c}.",
                c=code("/ml help"),
            )
        )
    )
    return Reply(summary="ML Ops assistant", blocks=tuple(blocks))


def home_view(reply: Reply) -> dict[str, Any]:
    """The view ``views.publish`` takes for the home tab."""
    return {"type": "home", "blocks": to_blocks(reply)}
