"""Small rules of the gate: what is answered when overheard, which settings a handler is
missing. Who may ask and decide is the policy's (:mod:`bot.gate.access`)."""

from __future__ import annotations

from typing import Any

from intents.registry import IntentSpec
from lex.runtime import Understanding

# How sure we must be to answer a message that wasn't said to us.
AMBIENT_CONFIDENCE = 0.8


def answer_overheard(u: Understanding, spec: IntentSpec | None) -> bool:
    """A message in a thread we're in, not said to us: answer only a clear, complete,
    read-only question; stay out of conversations, dialogs, changes and errors."""
    confident = (u.confidence or 0.0) >= AMBIENT_CONFIDENCE
    return spec is not None and not spec.mutating and u.ready and confident


def missing_settings(spec: IntentSpec, settings: Any) -> list[str]:
    """The settings *spec* requires that are unset or empty."""
    return [name for name in spec.requires if getattr(settings, name, None) in (None, "", [])]
