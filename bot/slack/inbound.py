"""Slack payloads -> what the gate reads: messages, commands and button clicks.

Decides what the bot should even look at: DMs, mentions, slash commands,
messages in the bot's own channels, and replies in threads it takes part in.
Everything else (other bots, itself, edits, deletions, joins) is ignored.
Slack markup is turned into plain text here, before language sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.gate.guard import CLARIFY, Reading
from bot.gate.types import Decision, Message
from bot.render.cards import APPROVE, CANCEL
from bot.slack.text import to_plain
from intents.base import Attachment, Source

# Message subtypes that are a person saying something; every other subtype
# (message_changed, message_deleted, bot_message, channel_join...) is ignored.
_SPOKEN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}
MAX_SLACK_TEXT = 40_000
InThread = Callable[[str, str], bool]


@dataclass(frozen=True)
class Inbound:
    """A message for the gate, with what only Slack needs to answer it."""

    message: Message
    message_ts: str | None = None  # the user's message, when there is one (for the ⏳ reaction)
    response_url: str | None = None  # slash commands: works where the bot is not a member
    command: str = ""  # "/ml"
    raw_text: str = ""  # as the user wrote it (the command echo shows this)
    reading: Reading | None = None  # a clarifying question's button: the reading chosen


def _files(event: Mapping[str, Any]) -> tuple[Attachment, ...]:
    out = []
    for f in event.get("files") or ():
        if isinstance(f, Mapping) and f.get("id"):
            out.append(
                Attachment(
                    id=str(f["id"]),
                    name=str(f.get("name") or f.get("title") or f["id"]),
                    mimetype=str(f.get("mimetype") or ""),
                    size=_size(f.get("size")),
                    url=str(f.get("url_private_download") or f.get("url_private") or ""),
                )
            )
    return tuple(out)


def _strip_mention(text: str, bot_user_id: str) -> str:
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return text.strip()


def from_event(
    body: Mapping[str, Any],
    *,
    bot_user_id: str,
    bot_id: str = "",
    bot_channels: frozenset[str] | set[str] = frozenset(),
    in_thread: InThread | None = None,
) -> Inbound | None:
    """An Events API ``message`` or ``app_mention`` callback -> Inbound, or None to ignore.

    ``in_thread(channel, thread_ts)`` tells whether the bot takes part in a thread.
    """
    event = body.get("event")
    if not isinstance(event, Mapping):
        return None
    kind = event.get("type")
    if kind not in ("message", "app_mention"):
        return None
    if event.get("subtype") not in _SPOKEN_SUBTYPES:
        return None
    user = event.get("user")
    if not isinstance(user, str) or not user or user == bot_user_id:
        return None
    if (
        event.get("bot_id")
        or (bot_id and event.get("bot_id") == bot_id)
        or event.get("bot_profile")
    ):
        return None
    channel = event.get("channel")
    ts = event.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str):
        return None
    raw_text = event.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    team = str(body.get("team_id") or event.get("team") or "")
    thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    mentioned = bool(bot_user_id) and f"<@{bot_user_id}" in text
    channel_type = event.get("channel_type")

    source: Source
    if kind == "app_mention":
        source, addressed = "mention", True
    elif channel_type == "im":
        source, addressed = "dm", True
    elif mentioned:
        return None  # the app_mention event for the same message answers it
    elif channel in bot_channels and not thread_ts:
        source, addressed = "message", True
    elif thread_ts and (channel in bot_channels or (in_thread and in_thread(channel, thread_ts))):
        source, addressed = "thread", channel in bot_channels
    else:
        return None

    written = _strip_mention(text[: MAX_SLACK_TEXT + 1], bot_user_id)
    message = Message(
        team=team,
        channel=channel,
        user=user,
        text=to_plain(written).strip(),
        source=source,
        addressed=addressed,
        delivery_key=f"msg:{team}:{channel}:{ts}",
        thread_ts=thread_ts or ts,
        files=_files(event),
        user_team=_text(event.get("user_team")) or _text(event.get("team")) or team,
    )
    return Inbound(message, message_ts=ts, raw_text=written)


def from_command(body: Mapping[str, Any]) -> Inbound | None:
    """A slash command payload (``/ml <text>``) -> Inbound."""
    user, channel = body.get("user_id"), body.get("channel_id")
    if not isinstance(user, str) or not isinstance(channel, str) or not user or not channel:
        return None
    trigger = str(body.get("trigger_id") or "")
    team = str(body.get("team_id") or "")
    written = str(body.get("text") or "").strip()[: MAX_SLACK_TEXT + 1]
    message = Message(
        team=team,
        channel=channel,
        user=user,
        text=to_plain(written).strip(),
        source="command",
        addressed=True,
        delivery_key=f"cmd:{team}:{trigger or channel + ':' + user}",
        user_team=_text(body.get("user_team")) or team,
    )
    return Inbound(
        message,
        response_url=str(body.get("response_url") or "") or None,
        command=str(body.get("command") or "/ml"),
        raw_text=written,
    )


def from_action(body: Mapping[str, Any]) -> Decision | None:
    """A ``block_actions`` payload for a card's Approve or Cancel button -> Decision."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, Mapping) or action.get("action_id") not in (APPROVE, CANCEL):
        return None
    user, channel, team = (_id(body.get(k)) for k in ("user", "channel", "team"))
    if not user or not channel:
        return None
    person = body.get("user")
    user_team = _text(person.get("team_id")) if isinstance(person, Mapping) else ""
    return Decision(
        plan_id=str(action.get("value") or "")[:200],
        approve=action.get("action_id") == APPROVE,
        user=user,
        team=team,
        channel=channel,
        user_team=user_team or team,
    )


def _size(value: object) -> int:
    """A file's size as Slack says it; anything else is unknown (0)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0
    try:
        return max(0, int(value))
    except (ValueError, OverflowError):
        return 0


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def from_clarify(body: Mapping[str, Any]) -> Inbound | None:
    """A click on a clarifying question's button -> that reading, as a request from the
    clicker in the question's thread. The value is checked here and again by the gate."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, Mapping) or action.get("action_id") != CLARIFY:
        return None
    reading = Reading.decode(action.get("value"))
    user, channel, team = (_id(body.get(k)) for k in ("user", "channel", "team"))
    if reading is None or not user or not channel:
        return None
    posted = body.get("message") if isinstance(body.get("message"), Mapping) else {}
    assert isinstance(posted, Mapping)
    thread = posted.get("thread_ts") or posted.get("ts")
    label = action.get("text", {}).get("text") if isinstance(action.get("text"), Mapping) else ""
    stamp = str(action.get("action_ts") or body.get("trigger_id") or "")
    message = Message(
        team=team,
        channel=channel,
        user=user,
        text=str(label or reading.intent)[:200],
        source="action",
        addressed=True,
        delivery_key=f"act:{team}:{channel}:{user}:{stamp}",
        thread_ts=thread if isinstance(thread, str) else None,
        user_team=_text((body.get("user") or {}).get("team_id")) or team,
    )
    return Inbound(message, reading=reading)


def _id(value: object) -> str:
    found = value.get("id") if isinstance(value, Mapping) else None
    return found if isinstance(found, str) else ""
