"""The first stage of the gate: a plain-text message -> an understood Request.

``/ml`` commands are parsed deterministically; everything else goes to Lex (or the
local runtime). Text too long to read, or a command that doesn't parse, ends here
with a reply instead.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import Protocol

from bot.gate.types import Message
from bot.render.notices import error_reply, too_long
from intents.base import Request
from intents.errors import UserError
from intents.reply import Reply
from lex.commands import Parsed
from lex.local import MAX_TEXT
from lex.runtime import TextTooLong, Understanding, session_id

log = logging.getLogger(__name__)

# The intents that read an attached file, and a message that asks about the file itself
FILE_INTENTS = frozenset({"DetectLabels", "TranscribeAudio"})
_ABOUT_THE_FILE = re.compile(
    r"^\W*(?:what'?s|what is|what are|tell me|show me|describe|read|look at|check|analy[sz]e)"
    r"(?: (?:in|on|about|what'?s in))?"
    r" (?:(?:this|the|that|my|attached) )?(?:attached )?(?:file|attachment|document|doc|pdf|upload|this|it)s?"
    r"(?: (?:i|i've|i have) (?:attached|uploaded|sent))?\W*$",
    re.IGNORECASE,
)


def _about_the_file(message: Message, u: Understanding) -> Understanding:
    """A question about an attached file ('what's in this file?', or no words at all) goes to
    the demo that reads files of its kind, whatever the words resemble, so a PDF or a text
    file gets a short answer naming what is wrong with it, not a list of datasets."""
    if not message.files or u.intent in FILE_INTENTS:
        return u
    if message.text.strip() and not _ABOUT_THE_FILE.search(message.text):
        return u
    audio = message.files[0].mimetype.startswith(("audio/", "video/"))
    return Understanding(
        intent="TranscribeAudio" if audio else "DetectLabels",
        confidence=u.confidence,
        source=u.source,
    )


class Understander(Protocol):
    """What the gate needs of language: ``lex.runtime.LexRouter`` in the application."""

    def understand(self, session: str, text: str, *, request_id: str = "") -> Understanding: ...

    def reset(self, session: str) -> None: ...


class Commands(Protocol):
    def parse(self, text: str) -> Parsed: ...


@dataclass(frozen=True)
class Understood:
    request: Request
    understanding: Understanding


def understand(
    message: Message, request_id: str, language: Understander, commands: Commands
) -> Understood | Reply:
    """The message understood, or the reply that ends it here."""
    text = message.text
    if len(text) > MAX_TEXT:
        return too_long(len(text), request_id) if message.addressed else Reply.nothing()
    if message.source == "command":
        parsed = commands.parse(text)
        if parsed.understanding is None:
            problem = UserError(
                parsed.problem or "I didn't understand that.", hint="Try `/ml help`."
            )
            return dataclasses.replace(error_reply(problem, request_id), ephemeral=True)
        u = parsed.understanding
    else:
        try:
            session = session_id(message.team, message.channel, message.user, message.thread_ts)
            u = language.understand(session, text, request_id=request_id)
        except TextTooLong as exc:
            return too_long(exc.length, request_id) if message.addressed else Reply.nothing()
        u = _about_the_file(message, u)
    log.info("%s from %s: %s (%s, %s)", message.source, message.user, u.intent, u.dialog, u.source)
    request = Request(
        id=request_id,
        intent=u.intent,
        slots=u.slots,
        user=message.user,
        channel=message.channel,
        team=message.team,
        thread_ts=message.thread_ts,
        text=text,
        files=message.files,
        source=message.source,
        origin_key=message.delivery_key,
        user_team=message.user_team,
    )
    return Understood(request, u)
