"""Confirmation cards: what a proposed change looks like while pending, running, done,
failed, cancelled or expired. The same plan always renders the same card."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.state import Plan
from intents.reply import (
    Actions,
    Block,
    Button,
    Context,
    Divider,
    Header,
    Md,
    Proposal,
    Reply,
    Section,
    md,
    mention,
)

APPROVE, CANCEL = "plan_approve", "plan_cancel"  # button action ids
STATE_WORDS = {
    "approved": "approved",
    "cancelled": "cancelled",
    "expired": "expired",
    "done": "approved and run",
    "failed": "approved (and it failed)",
}


def card_key(plan_id: str) -> str:
    """The key a card's post carries (Slack message metadata), to find it after a restart."""
    return f"card:{plan_id}"


def clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M UTC")


def card_content(proposal: Proposal) -> dict[str, Any]:
    """What a card shows, stored with the plan so it can be drawn again in any state."""
    return {
        "summary": str(proposal.summary),
        "details": [[label, str(value)] for label, value in proposal.details],
        "warning": str(proposal.warning) if proposal.warning else "",
    }


def card(plan: Plan, state: str, outcome: Reply | None = None) -> Reply:
    content = plan.card or {}
    blocks: list[Block] = [Header(("Confirm: " if state == "pending" else "") + plan.title)]
    if content.get("summary"):
        blocks.append(Section(Md(content["summary"])))
    details = tuple((label, Md(value)) for label, value in content.get("details", []))
    if details:
        blocks.append(Section(fields=details))
    if content.get("warning"):
        blocks.append(Context(Md(content["warning"])))
    if state == "pending":
        if content.get("second"):
            blocks.append(
                Context(
                    md(
                        ":lock: Needs a second person: {r}. Can approve: {a}.",
                        r=Md(content["second"]),
                        a=Md(content.get("approvers") or "an approver"),
                    )
                )
            )
        blocks.append(
            Context(
                md(
                    "Requested by {r} · expires at {t} · reply *yes* or *no*, or use the buttons",
                    r=mention(plan.requester),
                    t=clock(plan.expires_at),
                )
            )
        )
        blocks.append(
            Actions(
                (
                    Button("Approve", APPROVE, plan.id, "primary"),
                    Button("Cancel", CANCEL, plan.id, "danger"),
                )
            )
        )
    else:
        if outcome is not None and not outcome.silent:
            blocks.append(Divider())
            blocks.extend(outcome.blocks)
        blocks.append(
            Context(
                _status(plan, state)
                + md(
                    " · requested by {r} · request {i}",
                    r=mention(plan.requester),
                    i=plan.request_id,
                )
            )
        )
    return Reply(summary=_summary(plan, state, outcome), blocks=tuple(blocks))


def _status(plan: Plan, state: str) -> Md:
    who = mention(plan.decided_by) if plan.decided_by else md("nobody")
    return {
        "running": md(":hourglass_flowing_sand: Approved by {w}, working on it…", w=who),
        "done": md(":white_check_mark: Approved by {w}", w=who),
        "failed": md(":x: Approved by {w}, but it failed", w=who),
        "cancelled": md(":no_entry_sign: Cancelled by {w}", w=who),
        "expired": md(":hourglass: Expired at {t} without approval", t=clock(plan.expires_at)),
    }[state]


def _summary(plan: Plan, state: str, outcome: Reply | None) -> str:
    return {
        "pending": f"Confirm: {plan.title}",
        "running": f"Approved: {plan.title}",
        "done": outcome.summary if outcome else plan.title,
        "failed": outcome.summary if outcome else f"Failed: {plan.title}",
        "cancelled": f"Cancelled: {plan.title}",
        "expired": f"Expired: {plan.title}",
    }[state]
