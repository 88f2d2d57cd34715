"""What a (re)started bot settles before it takes new work, so nothing is lost or doubled
by a process that died between two steps.

- A card decided on but never posted is posted (once: Slack is asked first, the post
  carries the plan's key).
- An approved plan whose run never finished is run again (executors are idempotent).
- A job status post decided but not known to be made is made (once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.follow import Follower
from bot.gate import Gate
from bot.gate.outbox import Outbox
from bot.render.cards import card, card_key
from bot.state import State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovered:
    cards: int
    plans: int
    posts: int


def recover(gate: Gate, state: State, outbox: Outbox, follower: Follower) -> Recovered:
    cards = 0
    for plan in state.cardless_plans(gate.deps.clock()):
        key = card_key(plan.id)
        ts = outbox.posted(plan.channel, plan.thread_ts, key) or outbox.post(
            plan.channel, card(plan, "pending"), thread_ts=plan.thread_ts, key=key
        )
        if ts:
            state.set_card(plan.id, ts)
            cards += 1
    plans = gate.confirmations.execution.resume()
    posts = follower.deliver_owed()
    if cards or plans or posts:
        log.warning(
            "recovered after a restart: %d cards, %d approved plans, %d status posts",
            cards,
            plans,
            posts,
        )
    return Recovered(cards, plans, posts)
