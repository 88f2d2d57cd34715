"""What to do with an understood message, from the Lex dialog state: one pure function."""

from __future__ import annotations

from enum import Enum

from lex.runtime import Understanding

FALLBACK = "FallbackIntent"


class Step(Enum):
    OVERHEARD = "overheard"  # not said to us: answer only if the rules allow it
    IGNORE = "ignore"  # nothing to say
    SAY = "say"  # Lex has something to say (a prompt, "OK, cancelled")
    FALLBACK = "fallback"  # the short help
    DENIED = "denied"  # the user said no to Lex's confirmation: cancel their pending card
    CONFIRMED = "confirmed"  # the user said yes to Lex's confirmation: approve their pending card
    PROPOSE = "propose"  # a mutating intent, complete: show a card
    RUN = "run"  # a read-only intent, complete: answer it


def next_step(u: Understanding, *, addressed: bool, known: bool, mutating: bool) -> Step:
    """*known*: a handler exists for u.intent."""
    if not addressed:
        return Step.IGNORE if u.intent == FALLBACK else Step.OVERHEARD
    if u.intent == FALLBACK or not known:
        return Step.SAY if u.message else Step.FALLBACK
    if u.dialog == "ElicitSlot" and u.message:
        return Step.SAY
    if u.confirmation == "Denied":
        return Step.DENIED
    if u.state == "Failed":
        return Step.SAY
    if mutating:
        return Step.CONFIRMED if u.confirmation == "Confirmed" else Step.PROPOSE
    return Step.RUN
