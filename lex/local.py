"""A local stand-in for the Lex V2 runtime, built from ``lex/bot.toml``.

It answers ``recognize_text`` with the same request and response shape as
``boto3.client("lexv2-runtime").recognize_text``: interpretations with
confidence scores, ``sessionState.dialogAction`` (ElicitSlot, ConfirmIntent,
Close), slots with ``interpretedValue``. Conversations follow Lex's semantics:
missing required slots are asked for one by one with the definition's prompts,
mutating intents get a confirmation turn, sessions expire when idle.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from lex.definition import BotDefinition, Intent, load_definition
from lex.model import LinearModel, load_model
from lex.nlu import FALLBACK, Nlu, Resolved, derive_slots
from lex.text import normalize

MAX_TEXT = 1024
_SESSION_ID = re.compile(r"^[0-9a-zA-Z._:-]{2,100}$")
_YES = re.compile(
    r"^(y|yes|yeah|yep|yup|yea|sure|ok|okay|k|confirm|confirmed|approve|approved|go|go ahead|"
    r"do it|please do|absolutely|correct|affirmative|of course|definitely|sounds good|lgtm|"
    r"yes please|sure thing|go for it|ship it|\+1|:\+1:|👍)[.! ]*$",
    re.I,
)
_NO = re.compile(
    r"^(n|no|nope|nah|cancel|don't|dont|do not|stop|abort|never ?mind|negative|not now|"
    r"no thanks|no thank you|forget it|hold off|wait|:-1:|👎)[.! ]*$",
    re.I,
)
_CANCEL = re.compile(r"^(cancel|never ?mind|forget it|stop|abort|quit|exit)[.! ]*$", re.I)
MAX_ATTEMPTS = 3


def yes_or_no(text: str) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else."""
    clean = normalize(text).strip()
    if _YES.match(clean):
        return True
    if _NO.match(clean):
        return False
    return None


def validation_error(message: str) -> ClientError:
    """The ClientError that Lex raises for a request it refuses, metadata included."""
    return ClientError(
        {
            "Error": {"Code": "ValidationException", "Message": message},
            "ResponseMetadata": {
                "RequestId": str(uuid.uuid4()),
                "HostId": "",
                "HTTPStatusCode": 400,
                "HTTPHeaders": {},
                "RetryAttempts": 0,
            },
        },
        "RecognizeText",
    )


@dataclass
class _Session:
    intent: str | None = None
    slots: dict[str, Resolved] = field(default_factory=dict)
    dialog: str | None = None  # ElicitSlot | ConfirmIntent
    slot_to_elicit: str | None = None
    attempts: int = 0
    confidence: float | None = None
    touched: float = 0.0
    attributes: dict[str, str] = field(default_factory=dict)


class LocalLexRuntime:
    """``recognize_text`` / ``delete_session`` like ``lexv2-runtime``, in process."""

    def __init__(
        self,
        definition: BotDefinition | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        names: Callable[[str], str | None] | None = None,
        model: LinearModel | None = None,
        learned: bool = True,
    ) -> None:
        """*names*: what the account calls a name ("endpoint", "job"...), when known.
        *model*: the learned classifier; by default the checked-in one (``lex/model.toml``)
        for the checked-in definition, none for another definition or with ``learned=False``."""
        if model is None and learned and definition is None:
            model = load_model()
        self.definition = definition or load_definition()
        self.nlu = Nlu(self.definition, names=names, model=model)
        self._clock = clock
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ API

    def recognize_text(
        self,
        *,
        botId: str = "local",
        botAliasId: str = "local",
        localeId: str = "en_US",
        sessionId: str,
        text: str,
        sessionState: dict[str, Any] | None = None,
        requestAttributes: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if not _SESSION_ID.match(sessionId or ""):
            raise validation_error(
                "1 validation error detected: Value at 'sessionId' failed to "
                "satisfy constraint: Member must satisfy regular expression "
                "pattern: [0-9a-zA-Z._:-]+"
            )
        if not text or not text.strip():
            raise validation_error(
                "1 validation error detected: Value at 'text' failed to satisfy"
                " constraint: Member must have length greater than or equal to 1"
            )
        if len(text) > MAX_TEXT:
            raise validation_error(
                "1 validation error detected: Value at 'text' failed to satisfy"
                f" constraint: Member must have length less than or equal to {MAX_TEXT}"
            )
        with self._lock:
            session = self._session(sessionId)
            if sessionState and sessionState.get("sessionAttributes"):
                session.attributes.update(sessionState["sessionAttributes"])
            response = self._turn(session, text)
            if session.intent is None:
                self._sessions.pop(sessionId, None)
        response["sessionId"] = sessionId
        response["requestAttributes"] = dict(requestAttributes or {})
        return response

    def delete_session(
        self,
        *,
        botId: str = "local",
        botAliasId: str = "local",
        localeId: str = "en_US",
        sessionId: str,
    ) -> dict[str, Any]:
        with self._lock:
            self._sessions.pop(sessionId, None)
        return {
            "botId": botId,
            "botAliasId": botAliasId,
            "localeId": localeId,
            "sessionId": sessionId,
        }

    # ------------------------------------------------------------------ dialog

    def _session(self, session_id: str) -> _Session:
        now = self._clock()
        session = self._sessions.get(session_id)
        if session is None or now - session.touched > self.definition.idle_session_ttl_seconds:
            session = _Session()
            self._sessions[session_id] = session
        session.touched = now
        return session

    def _turn(self, session: _Session, text: str) -> dict[str, Any]:
        clean = normalize(text)
        if session.dialog == "ConfirmIntent":
            return self._confirm_turn(session, clean)
        if session.dialog == "ElicitSlot":
            return self._elicit_turn(session, clean)
        return self._new_intent(session, clean)

    def _new_intent(self, session: _Session, text: str) -> dict[str, Any]:
        result = self.nlu.parse(text)
        ranking = result.ranking
        if result.intent == FALLBACK:
            session.intent = None
            return self._respond(
                None,
                FALLBACK,
                {},
                dialog="Close",
                state="ReadyForFulfillment",
                ranking=ranking,
            )
        session.intent = result.intent
        session.slots = dict(result.slots)
        session.confidence = result.confidence
        session.attempts = 0
        return self._next_step(session, ranking)

    def _next_step(
        self, session: _Session, ranking: list[tuple[str, float]], message: str | None = None
    ) -> dict[str, Any]:
        assert session.intent is not None
        intent = self.definition.intents[session.intent]
        for slot in intent.slots:
            if slot.required and slot.name not in session.slots:
                session.dialog, session.slot_to_elicit = "ElicitSlot", slot.name
                return self._respond(
                    session,
                    intent.name,
                    session.slots,
                    dialog="ElicitSlot",
                    slot_to_elicit=slot.name,
                    state="InProgress",
                    message=(message + " " if message else "") + slot.prompt,
                    ranking=ranking,
                )
        if intent.mutating:
            session.dialog, session.slot_to_elicit = "ConfirmIntent", None
            return self._respond(
                session,
                intent.name,
                session.slots,
                dialog="ConfirmIntent",
                state="InProgress",
                message=self._fill(intent.confirmation or "Are you sure?", session.slots),
                ranking=ranking,
            )
        slots = session.slots
        session.intent, session.dialog, session.slots = None, None, {}
        return self._respond(
            None,
            intent.name,
            slots,
            dialog="Close",
            state="ReadyForFulfillment",
            ranking=ranking,
        )

    def _elicit_turn(self, session: _Session, text: str) -> dict[str, Any]:
        assert session.intent and session.slot_to_elicit
        intent = self.definition.intents[session.intent]
        slot = intent.slot(session.slot_to_elicit)
        assert slot is not None
        if _CANCEL.match(text):
            return self._give_up(session, intent, "OK, I've cancelled that.")
        analysis = self.nlu.analyze(text)
        value = self.nlu.read_slot(intent, slot, analysis, eliciting=True)
        other, confidence, ranking, _ = self.nlu.classify(analysis)
        switching = (
            other not in (FALLBACK, intent.name)
            and confidence >= 0.7
            and (value is None or (len(analysis.tokens) > 3 and _reads_as_request(analysis.text)))
        )
        if switching:
            session.intent = None
            session.dialog = None
            return self._new_intent(session, text)
        if value is None:
            session.attempts += 1
            if session.attempts >= MAX_ATTEMPTS:
                return self._give_up(session, intent, f"Sorry, I still didn't get the {slot.name}.")
            return self._respond(
                session,
                intent.name,
                session.slots,
                dialog="ElicitSlot",
                slot_to_elicit=slot.name,
                state="InProgress",
                message="Sorry, I didn't get that. " + slot.prompt,
                ranking=ranking,
            )
        session.slots[slot.name] = value
        session.attempts = 0
        # One answer may fill more than what was asked ("xgboost on s3://...").
        for other_slot in intent.slots:
            if other_slot.name not in session.slots:
                extra = self.nlu.read_slot(intent, other_slot, analysis)
                if extra is not None and extra.interpreted != value.interpreted:
                    session.slots[other_slot.name] = extra
        derive_slots(intent.name, session.slots)
        return self._next_step(session, [(intent.name, session.confidence or 1.0)])

    def _confirm_turn(self, session: _Session, text: str) -> dict[str, Any]:
        assert session.intent
        intent = self.definition.intents[session.intent]
        raw = text.strip()
        if _YES.match(raw):
            slots = session.slots
            session.intent, session.dialog, session.slots = None, None, {}
            return self._respond(
                None,
                intent.name,
                slots,
                dialog="Close",
                state="ReadyForFulfillment",
                confirmation="Confirmed",
                ranking=[(intent.name, 1.0)],
            )
        if _NO.match(raw):
            slots = session.slots
            session.intent, session.dialog, session.slots = None, None, {}
            return self._respond(
                None,
                intent.name,
                slots,
                dialog="Close",
                state="Failed",
                confirmation="Denied",
                message=intent.declination,
                ranking=[(intent.name, 1.0)],
            )
        result = self.nlu.parse(raw)
        if result.intent != FALLBACK and result.intent != intent.name and result.confidence >= 0.6:
            session.intent, session.dialog = None, None
            return self._new_intent(session, raw)
        session.attempts += 1
        if session.attempts >= MAX_ATTEMPTS:
            return self._give_up(session, intent, "I'll take that as a no.")
        return self._respond(
            session,
            intent.name,
            session.slots,
            dialog="ConfirmIntent",
            state="InProgress",
            message="Please answer yes or no. "
            + self._fill(intent.confirmation or "", session.slots),
            ranking=[(intent.name, 1.0)],
        )

    def _give_up(self, session: _Session, intent: Intent, message: str) -> dict[str, Any]:
        slots = session.slots
        session.intent, session.dialog, session.slots = None, None, {}
        return self._respond(
            None, intent.name, slots, dialog="Close", state="Failed", message=message, ranking=[]
        )

    @staticmethod
    def _fill(template: str, slots: dict[str, Resolved]) -> str:
        def sub(match: re.Match[str]) -> str:
            value = slots.get(match.group(1))
            return value.interpreted if value else "that"

        return re.sub(r"\{(\w+)\}", sub, template)

    # ------------------------------------------------------------------ shapes

    def _intent_shape(
        self, name: str, slots: dict[str, Resolved], state: str, confirmation: str = "None"
    ) -> dict[str, Any]:
        intent = self.definition.intents.get(name)
        names = [s.name for s in intent.slots] if intent else []
        return {
            "name": name,
            "slots": {
                n: (
                    {
                        "value": {
                            "originalValue": slots[n].original,
                            "interpretedValue": slots[n].interpreted,
                            "resolvedValues": [slots[n].interpreted],
                        },
                        "shape": "Scalar",
                    }
                    if n in slots
                    else None
                )
                for n in names
            },
            "state": state,
            "confirmationState": confirmation,
        }

    def _respond(
        self,
        session: _Session | None,
        intent: str,
        slots: dict[str, Resolved],
        *,
        dialog: str,
        state: str,
        ranking: list[tuple[str, float]],
        slot_to_elicit: str | None = None,
        confirmation: str = "None",
        message: str | None = None,
    ) -> dict[str, Any]:
        dialog_action: dict[str, Any] = {"type": dialog}
        if slot_to_elicit:
            dialog_action["slotToElicit"] = slot_to_elicit
        current = self._intent_shape(intent, slots, state, confirmation)
        interpretations = [{"intent": current, "interpretationSource": "Lex"}]
        if intent != FALLBACK:
            score = dict(ranking).get(intent, 1.0)
            interpretations[0]["nluConfidence"] = {"score": round(score, 2)}
        for name, score in ranking:
            if name != intent and len(interpretations) < 5:
                interpretations.append(
                    {
                        "intent": self._intent_shape(name, {}, "InProgress"),
                        "nluConfidence": {"score": round(score, 2)},
                        "interpretationSource": "Lex",
                    }
                )
        if intent != FALLBACK:
            interpretations.append(
                {
                    "intent": self._intent_shape(FALLBACK, {}, "InProgress"),
                    "interpretationSource": "Lex",
                }
            )
        response: dict[str, Any] = {
            "sessionState": {
                "dialogAction": dialog_action,
                "intent": current,
                "sessionAttributes": dict(session.attributes) if session else {},
                "originatingRequestId": str(uuid.uuid4()),
            },
            "interpretations": interpretations,
        }
        if message:
            response["messages"] = [{"contentType": "PlainText", "content": message}]
        return response


def _reads_as_request(text: str) -> bool:
    """A sentence with a verb of its own, not just a value ('actually, check the endpoints')."""
    return bool(
        re.search(
            r"\b(show|list|check|what|how|are|is|delete|deploy|train|stop|help|"
            r"translate|cost|cancel|who)\b",
            text,
            re.I,
        )
    )
