"""Reply values returned by intent handlers, and safe Slack mrkdwn.

Handlers never write Slack JSON. They return a :class:`Reply` made of a few block
types; ``bot.render`` turns it into Block Kit. Text that goes into a reply is an
:class:`Md`: a string that is already safe mrkdwn. The only ways to make one
escape every value that comes from a user or from AWS (``&``, ``<``, ``>``), so
nobody can make the bot post ``<!channel>``, a user mention or a disguised link.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9]{2,20}$")


def escape(text: object) -> str:
    """Escape any value for Slack mrkdwn: ``&``, ``<`` and ``>`` become entities."""
    return str(text).translate(_ESCAPES)


class Md(str):
    """A string that is safe Slack mrkdwn. Build it with :func:`md` or the helpers."""

    __slots__ = ()

    def __add__(self, other: object) -> Md:
        return Md(str.__add__(self, other if isinstance(other, Md) else escape(other)))


EMPTY = Md("")


def _safe(value: object) -> str:
    return value if isinstance(value, Md) else escape(value)


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, Md):
            return str(value)
        return escape(format(value, format_spec))


_FORMATTER = _Formatter()


def md(template: str, /, **values: object) -> Md:
    """Format a literal mrkdwn *template*; every value is escaped unless it is an Md.

    The template is the developer's own text (it may use ``*bold*`` and
    ``_italic_``); values are data and are always escaped.
    """
    return Md(_FORMATTER.format(template, **values))


def plain(text: object) -> Md:
    """Any text shown as is, with Slack's control characters escaped."""
    return Md(escape(text))


def _inline(text: object, marker: str) -> str:
    # A marker inside the value would end the formatting early; a zero-width
    # joiner keeps the look without letting the value break out.
    value = escape(text).replace(marker, "\u2060" + marker + "\u2060").strip()
    return f"{marker}{value}{marker}" if value else ""


def bold(text: object) -> Md:
    return Md(_inline(text, "*"))


def italic(text: object) -> Md:
    return Md(_inline(text, "_"))


def code(text: object) -> Md:
    value = escape(text).replace("`", "\u02cb")
    return Md(f"`{value}`") if value else Md("")


def code_block(text: object) -> Md:
    value = escape(text).replace("```", "\u02cb\u02cb\u02cb")
    return Md(f"```{value}```")


def mention(user_id: str) -> Md:
    """A user mention, only for a well-formed Slack user id (anything else is shown as text)."""
    if _USER_ID.match(user_id or ""):
        return Md(f"<@{user_id}>")
    return plain(user_id)


def channel_link(channel_id: str) -> Md:
    if _CHANNEL_ID.match(channel_id or ""):
        return Md(f"<#{channel_id}>")
    return plain(channel_id)


def link(url: str, label: object) -> Md:
    """A link to an https URL; the label cannot carry a second link or a mention."""
    if not url.startswith("https://") or any(c in url for c in "<>| \n"):
        return plain(label)
    return Md(f"<{escape(url)}|{escape(label).replace('|', '¦')}>")


def join(parts: Iterable[object], sep: str = " ") -> Md:
    """Join values with a literal separator; non-Md parts are escaped."""
    return Md(escape(sep).join(_safe(p) for p in parts if p != ""))


def lines(*parts: object) -> Md:
    return join(parts, "\n")


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Header:
    text: str  # plain text, at most one short line


@dataclass(frozen=True)
class Section:
    text: Md = EMPTY
    fields: tuple[tuple[str, Md], ...] = ()  # (label, value) pairs shown two columns wide
    accessory: Button | None = None  # a button beside the text (acting on one finding)


@dataclass(frozen=True)
class Context:
    text: Md


@dataclass(frozen=True)
class Divider:
    pass


ButtonStyle = Literal["primary", "danger"]


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    style: ButtonStyle | None = None


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


# The action id of a button that asks for an intent on the clicker's behalf: a clarifying
# question's readings, or a report's "Stop notebook X" beside a finding. A click is a new
# request from the person who clicks, through the same gate (a change still gets its card).
ASK = "clarify"
MAX_ASK_VALUE = 1900  # Slack allows 2,000 characters in a button's value


def ask_value(intent: str, slots: Mapping[str, str]) -> str | None:
    """The button value that asks for *intent* with *slots*; None when it would not fit."""
    value = json.dumps({"i": intent, "s": dict(slots)}, separators=(",", ":"), ensure_ascii=False)
    return value if len(value) <= MAX_ASK_VALUE else None


def ask(
    label: str, intent: str, slots: Mapping[str, str], *, style: ButtonStyle | None = None
) -> Button | None:
    """A button that asks for *intent* as whoever clicks it."""
    value = ask_value(intent, slots)
    return Button(label, ASK, value, style) if value is not None else None


Block = Header | Section | Context | Divider | Actions


@dataclass(frozen=True)
class FileOut:
    """A file the bot uploads with its reply (audio from Polly, a CSV export...)."""

    filename: str
    content: bytes
    title: str = ""
    alt: str = ""  # what the file shows, in words (a chart's alt text)


@dataclass(frozen=True)
class Reply:
    """What a handler answers. ``summary`` is the notification text (plain)."""

    summary: str
    blocks: tuple[Block, ...] = ()
    files: tuple[FileOut, ...] = ()
    ephemeral: bool = False  # only the asker sees it
    silent: bool = False  # nothing is posted at all

    @staticmethod
    def text(body: Md, *, summary: str | None = None, ephemeral: bool = False) -> Reply:
        return Reply(summary=summary or _strip(body), blocks=(Section(body),), ephemeral=ephemeral)

    @staticmethod
    def nothing() -> Reply:
        return Reply(summary="", silent=True)


_MENTION = re.compile(r"<([@#])([A-Z0-9]{3,21})(?:\|([^<>]*))?>")
_LINK = re.compile(r"<(https://[^<>|]+)\|([^<>]*)>")


_EMPHASIS = [
    re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"),  # *bold*
    re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"),  # _italic_
    re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"),  # ~strike~
    re.compile(r"```([^`]*)```"),
    re.compile(r"`([^`\n]+)`"),
]


def readable(text: str) -> str:
    """Safe mrkdwn as a person would read it in plain text (a notification, a log line):
    mentions as @U123, channels as #C123, links as their label, no *bold*/_italic_/`code`
    markers, our entities undone."""
    text = _MENTION.sub(lambda m: m.group(1) + (m.group(3) or m.group(2)), text)
    text = _LINK.sub(lambda m: m.group(2), text)
    for pattern in _EMPHASIS:
        text = pattern.sub(lambda m: m.group(1), text)
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("\u2060", "")
    )


def shorten(text: str, limit: int) -> str:
    """*text* cut to at most *limit* characters on a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.-") + "…"


def _strip(text: str) -> str:
    # Notification text is shown by clients as plain text.
    return readable(text)[:300]


def fields(
    pairs: Mapping[str, object] | Iterable[tuple[str, object]],
) -> tuple[tuple[str, Md], ...]:
    """Label/value pairs for a Section; values that are not Md are escaped."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return tuple(
        (label, value if isinstance(value, Md) else plain(value)) for label, value in items
    )


@dataclass(frozen=True)
class Risk:
    """Facts about a proposed change that decide whether it needs a second person.

    The handler reports what it found; the application's policy decides."""

    cost_usd: float | None = None  # the worst case, when the change spends money
    served: float | None = None  # requests the resource served in the last 24 h (endpoints)
    tags: Mapping[str, str] = field(default_factory=dict)  # the resource's own tags
    stops_a_job: bool = False  # the change stops (or deletes) a job someone started
    owner: str | None = None  # who started it through the bot, when known


@dataclass(frozen=True)
class Proposal:
    """What a mutating intent would do, shown on a confirmation card before it runs.

    ``params`` is everything the executor needs, JSON-serialisable: what is
    approved is exactly what runs, nothing is resolved again afterwards.
    """

    title: str
    summary: Md
    details: tuple[tuple[str, Md], ...] = ()
    params: Mapping[str, object] = field(default_factory=dict)
    warning: Md | None = None
    risk: Risk = field(default_factory=Risk)
