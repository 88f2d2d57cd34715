"""The one place that talks to Lex: real Lex V2 first, the local runtime when it fails.

Both runtimes answer ``recognize_text`` with Lex V2's response shape; this
module turns that shape into an :class:`Understanding` for the dispatcher.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from lex.definition import BotDefinition
from lex.local import MAX_TEXT, LocalLexRuntime
from lex.text import normalize

log = logging.getLogger(__name__)


class LexRuntime(Protocol):
    """What ``boto3.client("lexv2-runtime")`` and :class:`LocalLexRuntime` both offer.

    The answers are read, not built, here: a Mapping takes both the typed client's
    response TypedDicts and the local runtime's plain dicts.
    """

    def recognize_text(
        self, *, botId: str, botAliasId: str, localeId: str, sessionId: str, text: str
    ) -> Mapping[str, Any]: ...

    def delete_session(
        self, *, botId: str, botAliasId: str, localeId: str, sessionId: str
    ) -> Mapping[str, Any]: ...


class TextTooLong(Exception):
    def __init__(self, length: int) -> None:
        super().__init__(f"{length} characters")
        self.length = length


@dataclass(frozen=True)
class Understanding:
    intent: str
    slots: dict[str, str] = field(default_factory=dict)
    dialog: str = "Close"  # ElicitSlot | ConfirmIntent | Close | ElicitIntent | Delegate
    state: str = "ReadyForFulfillment"  # InProgress | ReadyForFulfillment | Failed | Fulfilled
    confirmation: str = "None"  # None | Confirmed | Denied
    slot_to_elicit: str | None = None
    message: str | None = None
    confidence: float | None = None
    source: str = "local"  # lex | local | command

    @property
    def ready(self) -> bool:
        return self.dialog in ("Close", "Delegate") and self.state in (
            "ReadyForFulfillment",
            "Fulfilled",
        )


def session_id(team: str, channel: str, user: str, thread: str | None = None) -> str:
    """A Lex session id for one person in one conversation: 2-100 chars of [0-9a-zA-Z._:-].

    In a channel the conversation is a thread: a question the bot asked in a thread
    ("What should I send?") is answered in that thread, and a new message elsewhere starts
    afresh instead of being taken for the answer. A DM is one conversation."""
    place: tuple[str, ...] = (team, channel, user)
    if thread and not channel.startswith("D"):
        place = (*place, thread)
    raw = ":".join(part for part in place if part) or "anonymous"
    cleaned = re.sub(r"[^0-9a-zA-Z._:-]", "-", raw)[:100]
    return cleaned if len(cleaned) >= 2 else cleaned + "--"


def parse_response(response: Mapping[str, Any], source: str) -> Understanding:
    state = response.get("sessionState", {})
    intent = state.get("intent") or {}
    action = state.get("dialogAction") or {}
    slots: dict[str, str] = {}
    for name, slot in (intent.get("slots") or {}).items():
        value = (slot or {}).get("value") or {}
        interpreted = value.get("interpretedValue")
        if interpreted:
            slots[name] = interpreted
    confidence = None
    for interpretation in response.get("interpretations", []):
        if interpretation.get("intent", {}).get("name") == intent.get("name"):
            confidence = (interpretation.get("nluConfidence") or {}).get("score")
            break
    messages = response.get("messages") or []
    return Understanding(
        intent=intent.get("name") or "FallbackIntent",
        slots=slots,
        dialog=action.get("type", "Close"),
        state=intent.get("state", "ReadyForFulfillment"),
        confirmation=intent.get("confirmationState", "None"),
        slot_to_elicit=action.get("slotToElicit"),
        message=" ".join(m.get("content", "") for m in messages if m.get("content")) or None,
        confidence=confidence,
        source=source,
    )


def canonical_slots(definition: BotDefinition, u: Understanding) -> Understanding:
    """Lex's values in the catalog's canonical form: a language said as its name ("german",
    the value Lex was given) is its code ``de``; an instance type is ``ml.<family>.<size>``
    in lower case, whatever Lex matched ("M5.XLARGE")."""
    intent = definition.intents.get(u.intent)
    if intent is None or not u.slots:
        return u
    slots = dict(u.slots)
    for name, value in u.slots.items():
        slot = intent.slot(name)
        if slot is None:
            continue
        slot_type = definition.slot_type(slot.type)
        said = value.strip().lower()
        if slot_type.extract == "enum":
            for v in slot_type.values:
                if said == v.value.lower() or said in (s.lower() for s in v.synonyms):
                    slots[name] = v.value
                    break
        elif slot_type.extract == "instance_type":
            slots[name] = said if said.startswith("ml.") else f"ml.{said}"
    return u if slots == u.slots else Understanding(**{**u.__dict__, "slots": slots})


class LexRouter:
    """Understands a message with Lex V2, falling back to the local runtime on any failure."""

    def __init__(
        self,
        local: LocalLexRuntime,
        *,
        lex: LexRuntime | None = None,
        bot_id: str = "local",
        alias_id: str = "local",
        locale_id: str = "en_US",
    ) -> None:
        self.local = local
        self.lex = lex
        self.bot_id, self.alias_id, self.locale_id = bot_id, alias_id, locale_id

    def understand(self, session: str, text: str, *, request_id: str = "") -> Understanding:
        clean = normalize(text)
        if len(clean) > MAX_TEXT:
            raise TextTooLong(len(clean))
        if not clean:
            return Understanding(intent="FallbackIntent", source="local")
        ids = {"botId": self.bot_id, "botAliasId": self.alias_id, "localeId": self.locale_id}
        if self.lex is not None:
            try:
                said = self.lex.recognize_text(sessionId=session, text=clean, **ids)
                return canonical_slots(self.local.definition, parse_response(said, "lex"))
            except (ClientError, BotoCoreError) as exc:
                code = (
                    exc.response["Error"].get("Code", "")
                    if isinstance(exc, ClientError)
                    else type(exc).__name__
                )
                log.warning(
                    "lex failed (%s), using the local runtime [request %s]", code, request_id
                )
        return parse_response(
            self.local.recognize_text(
                botId=self.bot_id,
                botAliasId=self.alias_id,
                localeId=self.locale_id,
                sessionId=session,
                text=clean,
            ),
            "local",
        )

    def reset(self, session: str) -> None:
        """Forget the conversation (after a card was approved or cancelled by button)."""
        ids = {"botId": self.bot_id, "botAliasId": self.alias_id, "localeId": self.locale_id}
        self.local.delete_session(sessionId=session, **ids)
        if self.lex is not None:
            try:
                self.lex.delete_session(sessionId=session, **ids)
            except (ClientError, BotoCoreError):
                pass  # nothing to forget, or Lex is down: either way there is no session
