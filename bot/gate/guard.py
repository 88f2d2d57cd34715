"""One check between understanding and action, whichever runtime understood the message.

Amazon Lex has none of the local runtime's rules: it falls back only below its
confidence threshold. So after *any* runtime, before a mutating intent can become a
card, this guard asks three things of the message:

- is the action negated, or is the sentence a question ("don't delete X", "should we
  delete X?", "how do I delete an endpoint?")? (:func:`lex.speech.speech_act`) A change
  asked for in place of a negated one ("don't run autopilot, just train xgboost on
  s3://...") passes when it is exactly what that clause asks for, read on its own;
- when Lex understood it, does the local runtime read it the same way?
- does a name in it belong to a resource of the kind the intent acts on?

If not, the answer is a short clarifying question with one button per reading
("Check fraud-detector-prod" / "Delete fraud-detector-prod"), never a card. A button
carries its reading (intent and slots, compact JSON); clicking it is handled like a
new request from the clicker, so a mutating reading still goes through the card and
its approval: a forged value gives no more power than typing.

The guard also fills a missing job, model or endpoint name from the thread's subject
(the one resource of that kind the thread is about: followed there, or answered about
there), and reads "it" / "this" / "that one" as that resource: in the thread of a finished
job, "deploy it" deploys it; in an endpoint's thread, "how is it doing" checks it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from bot.gate.types import Message
from bot.gate.understand import Understood
from intents.base import Request
from intents.reply import (
    ASK,
    MAX_ASK_VALUE,
    Actions,
    Button,
    Reply,
    Section,
    ask_value,
    code,
    md,
)
from intents.state import ThreadTopics
from lex.definition import BotDefinition
from lex.nlu import Nlu
from lex.runtime import Understanding
from lex.speech import SpeechAct, asked_change, speech_act
from lex.text import normalize

CLARIFY = ASK  # the action id of a clarifying question's buttons (and of reports' act buttons)
MAX_VALUE = MAX_ASK_VALUE
FALLBACK = "FallbackIntent"
# What kinds of a thread's subjects (bot.state) a name slot can take its value from.
JOB_KINDS = (
    "training",
    "processing",
    "labeling",
    "compilation",
    "transform",
    "tuning",
    "autopilot",
    "glue",
)
_FOLLOW_KINDS = {
    "jobName": JOB_KINDS,
    "endpointName": ("endpoint",),
    # a finished training job's model, or an Autopilot job's best candidate
    "modelName": ("model", "training", "autopilot"),
}
# "it", "this", "that one": a resource the message does not name.
_PRONOUN = re.compile(r"\b(?:it|this one|that one|this|that)\b(?![-'])", re.I)
# Which kinds of resource (as the name resolver tells them) a name slot takes.
_SLOT_KINDS = {
    "jobName": ("job",),
    "endpointName": ("endpoint",),
    "modelName": ("model", "job"),
    "budgetName": ("budget",),
}


@dataclass(frozen=True)
class Reading:
    """One way to read a message: an intent and its slots."""

    intent: str
    slots: Mapping[str, str]

    def encode(self) -> str | None:
        """The button value; None when it would not fit."""
        return ask_value(self.intent, self.slots)

    @staticmethod
    def decode(value: object) -> Reading | None:
        """A button value back into a reading; None for anything malformed."""
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            return None
        try:
            data = json.loads(value)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        intent, slots = data.get("i"), data.get("s", {})
        if not isinstance(intent, str) or not re.fullmatch(r"[A-Za-z]{1,64}", intent):
            return None
        if not isinstance(slots, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 64 for k, v in slots.items()
        ):
            return None
        return Reading(intent, dict(slots))


class Guard:
    """Reviews every understood message before the gate routes it (see the module doc)."""

    def __init__(
        self,
        definition: BotDefinition,
        *,
        local: Nlu | None = None,
        names: Callable[[str], str | None] | None = None,
        topics: ThreadTopics | None = None,
        reset: Callable[[Message], None] = lambda message: None,
    ) -> None:
        self.definition = definition
        self.local = local
        self.names = names
        self.topics = topics
        self.reset = reset

    # ------------------------------------------------------------------ review

    def review(self, message: Message, understood: Understood) -> Understood | Reply:
        """The understanding to act on, or the clarifying question that replaces it."""
        if message.source in ("command", "action"):
            return understood  # `/ml` forms and clicked readings are explicit
        u = self._pronoun(message, understood.understanding)
        u = self._from_thread(message, u)
        intent = self.definition.intents.get(u.intent)
        text = normalize(message.text)
        if u.intent == FALLBACK and message.addressed:
            asked = self._change_asked_about(text)
            if asked is not None:  # "should we delete X?": check it, or delete it?
                return self._clarify(message, text, asked)
        if intent is None or u.intent == FALLBACK or u.confirmation != "None":
            return self._with(understood, u)
        if u.source == "lex" and not intent.mutating:
            u = self._reroute(text, u)
        elif intent.mutating and u.ready and self._doubtful(text, u):
            return self._clarify(message, text, u)
        return self._with(understood, u)

    def _change_asked_about(self, text: str) -> Understanding | None:
        """The change a "should we ...?" names, when it names one the bot can make on a
        named resource ("should we delete recsys-staging?"): offered as one reading of
        the question, beside checking that resource, never as a card by itself."""
        change = asked_change(text)
        if not change or self.local is None:
            return None
        read = self.local.parse(change)
        intent = self.definition.intents.get(read.intent)
        slots = {k: v.interpreted for k, v in read.slots.items()}
        if intent is None or not intent.mutating or not slots:
            return None
        return Understanding(read.intent, slots, source="local")

    def _doubtful(self, text: str, u: Understanding) -> bool:
        act = speech_act(text)
        if act.orders_nothing and not self._asked_instead(act, u):
            return True
        if u.source != "local" and self.local is not None:
            read = self.local.parse(text)
            if read.intent not in (FALLBACK, u.intent):
                return True
        return not self._names_fit(u)

    def _asked_instead(self, act: SpeechAct, u: Understanding) -> bool:
        """ "don't run autopilot, just train xgboost on s3://...": the change asked for in
        place of the ruled-out one, as the local runtime reads that clause on its own, is
        exactly this understanding (intent and values)."""
        if not act.asks_instead or self.local is None:
            return False
        read = self.local.parse(act.asks_instead)
        slots = {k: v.interpreted for k, v in read.slots.items()}
        return read.intent == u.intent and slots == dict(u.slots)

    def _names_fit(self, u: Understanding) -> bool:
        if self.names is None:
            return True
        for slot, value in u.slots.items():
            kind = _kind(self.names, value) if slot in _SLOT_KINDS else None
            if kind is not None and kind not in _SLOT_KINDS[slot]:
                return False
        return True

    def _reroute(self, text: str, u: Understanding) -> Understanding:
        """Lex read a name as the wrong kind ("how is fraud-detector-prod doing?" as a
        training job): the local runtime, which knows the account's names, decides."""
        if self._names_fit(u) or self.local is None:
            return u
        read = self.local.parse(text)
        target = self.definition.intents.get(read.intent)
        if target is None or target.mutating or read.intent == FALLBACK:
            return u
        slots = {k: v.interpreted for k, v in read.slots.items()}
        return replace(u, intent=read.intent, slots=slots)

    def _from_thread(self, message: Message, u: Understanding) -> Understanding:
        """A job or endpoint intent without its name, in a thread about one such resource."""
        intent = self.definition.intents.get(u.intent)
        if intent is None or self.topics is None or not message.thread_ts:
            return u
        missing = [s for s in intent.slots if s.name in _FOLLOW_KINDS and s.name not in u.slots]
        if len(missing) != 1 or (u.dialog == "ElicitSlot" and u.slot_to_elicit != missing[0].name):
            return u
        slot = missing[0]
        about = self.topics.thread_subjects(message.channel, message.thread_ts)
        subjects = {f.name for f in about if f.kind in _FOLLOW_KINDS[slot.name]}
        if len(subjects) != 1:
            return u
        slots = {**u.slots, slot.name: subjects.pop()}
        if any(s.required and s.name not in slots for s in intent.slots):
            return replace(u, slots=slots)
        if u.dialog == "ElicitSlot":
            self.reset(message)  # the runtime was about to ask for it: that question is moot
        return replace(
            u,
            slots=slots,
            dialog="Close",
            state="ReadyForFulfillment",
            slot_to_elicit=None,
            message=None,
        )

    def _pronoun(self, message: Message, u: Understanding) -> Understanding:
        """ "deploy it", "stop it", "how is it doing?" in a thread about a resource: read with
        the resource's name in place of the pronoun (the most recent subject whose reading
        takes a name of its kind), when the message alone was not understood or lacked that
        name."""
        if self.topics is None or self.local is None or not message.thread_ts:
            return u
        waiting = u.dialog == "ElicitSlot" and u.slot_to_elicit in _FOLLOW_KINDS
        if u.intent != FALLBACK and not waiting:
            return u
        text = normalize(message.text)
        if not _PRONOUN.search(text):
            return u
        for subject in self.topics.thread_subjects(message.channel, message.thread_ts):
            match = _PRONOUN.search(text)
            assert match is not None
            read = self.local.parse(text[: match.start()] + subject.name + text[match.end() :])
            intent = self.definition.intents.get(read.intent)
            if intent is None or read.intent == FALLBACK:
                continue
            slots = {k: v.interpreted for k, v in read.slots.items()}
            took = [k for k, v in slots.items() if v == subject.name]
            if len(took) != 1 or subject.kind not in _FOLLOW_KINDS.get(took[0], ()):
                continue
            if any(s.required and s.name not in slots for s in intent.slots):
                continue
            if u.dialog == "ElicitSlot":
                self.reset(message)  # the question the runtime was about to ask is moot
            return Understanding(
                intent=read.intent,
                slots=slots,
                confidence=read.confidence,
                source=u.source,
            )
        return u

    @staticmethod
    def _with(understood: Understood, u: Understanding) -> Understood:
        if u == understood.understanding:
            return understood
        request = replace(understood.request, intent=u.intent, slots=dict(u.slots))
        return Understood(request, u)

    # ------------------------------------------------------------------ clarifying

    def readings(self, text: str, u: Understanding) -> list[Reading]:
        """The ways to read a doubtful message: what the local runtime reads, the
        read-only counterpart of the change on the same resource, and the change."""
        found: list[Reading] = []
        if self.local is not None:
            read = self.local.parse(text)
            if read.intent != FALLBACK:
                found.append(
                    Reading(read.intent, {k: v.interpreted for k, v in read.slots.items()})
                )
            counterpart = self.local.counterpart(u.intent)
            if counterpart:
                shared = self.definition.intents[counterpart]
                slots = {k: v for k, v in u.slots.items() if shared.slot(k) is not None}
                found.append(Reading(counterpart, slots))
        found.append(Reading(u.intent, dict(u.slots)))
        unique: list[Reading] = []
        for reading in found:
            if reading not in unique:
                unique.append(reading)
        return unique

    def _clarify(self, message: Message, text: str, u: Understanding) -> Reply:
        self.reset(message)  # no half-finished conversation is left behind the question
        buttons = []
        for reading in self.readings(text, u)[:4]:
            value = reading.encode()
            if value is not None:
                buttons.append(Button(self.label(reading), CLARIFY, value))
        body = md(
            "Just to be sure, since that reads as a question or a “don't”: which do you mean?"
        )
        return Reply(summary="Which do you mean?", blocks=(Section(body), Actions(tuple(buttons))))

    def label(self, reading: Reading) -> str:
        """ "Check fraud-detector-prod", "Delete fraud-detector-prod", "Help"."""
        intent = self.definition.intents.get(reading.intent)
        name = next((reading.slots[s] for s in _SLOT_KINDS if s in reading.slots), "")
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", reading.intent).lower().split()
        if intent is not None and not intent.mutating and name:
            verb = "Check"
        else:
            verb = words[0].capitalize() if name else " ".join(words).capitalize()
        return f"{verb} {name}".strip()[:75]

    # ------------------------------------------------------------------ clicked readings

    def understood(self, message: Message, reading: Reading, request_id: str) -> Understood | Reply:
        """A clicked reading as an understood request from the clicker."""
        intent = self.definition.intents.get(reading.intent)
        if intent is None:
            return Reply.text(md("That choice is no longer something I can do."))
        slots = {
            k: v[:500] for k, v in reading.slots.items() if intent.slot(k) is not None and v.strip()
        }
        missing = [s for s in intent.required_slots if s.name not in slots]
        if missing:
            return Reply.text(md("That needs {w}: ask me again with it.", w=code(missing[0].name)))
        u = Understanding(intent=intent.name, slots=slots, source="action")
        request = Request(
            id=request_id,
            intent=intent.name,
            slots=slots,
            user=message.user,
            channel=message.channel,
            team=message.team,
            thread_ts=message.thread_ts,
            text=message.text,
            source="action",
            origin_key=message.delivery_key,
        )
        return Understood(request, u)


def _kind(names: Callable[[str], str | None], value: str) -> str | None:
    try:
        return names(value)
    except Exception:  # a resolver that fails knows nothing
        return None
