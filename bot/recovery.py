"""What a (re)started bot settles before it takes new work, so nothing is lost or doubled
by a process that died between two steps.

- A card decided on but never posted is posted (once: Slack is asked first, the post
  carries the plan's key). Only a card owed for ``CARD_GRACE`` seconds: a younger one is
  still being posted by the replica that proposed it. Two replicas starting together
  take turns through the plan's lease.
- An approved plan whose run never finished is run again (executors are idempotent).
- A job status post decided but not known to be made is made (once).
- A Slack request acknowledged but never answered is answered (once: its answer is
  looked for in Slack first), when *inbox* is given (bot.slack.inbox).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.follow import Follower
from bot.gate import Gate
from bot.gate.outbox import Outbox
from bot.render.cards import card, card_key
from bot.slack.inbox import Inbox
from bot.state import State

log = logging.getLogger(__name__)
CARD_GRACE = 30.0


@dataclass(frozen=True)
class Recovered:
    cards: int
    plans: int
    posts: int
    requests: int = 0


def recover(
    gate: Gate, state: State, outbox: Outbox, follower: Follower, inbox: Inbox | None = None
) -> Recovered:
    cards = 0
    now = gate.deps.clock()
    for plan in state.cardless_plans(now):
        if plan.created_at > now - CARD_GRACE:
            continue  # its proposer is posting it
        if not state.claim_plan(plan.id, owner=follower.owner, until=now + CARD_GRACE, now=now):
            continue  # another starting replica is posting it
        key = card_key(plan.id)
        ts = outbox.posted(plan.channel, plan.thread_ts, key) or outbox.post(
            plan.channel, card(plan, "pending"), thread_ts=plan.thread_ts, key=key
        )
        if ts:
            state.set_card(plan.id, ts)
            cards += 1
        # Hand the lease back at once: whoever takes the approval claims the plan to run it.
        state.claim_plan(plan.id, owner=follower.owner, until=now, now=now)

    plans = gate.confirmations.execution.resume()
    posts = follower.deliver_owed()
    requests = inbox.redo() if inbox is not None else 0
    if cards or plans or posts or requests:
        log.warning(
            "recovered after a restart: %d cards, %d approved plans, %d status posts, %d requests",
            cards,
            plans,
            posts,
            requests,
        )
    return Recovered(cards, plans, posts, requests)
