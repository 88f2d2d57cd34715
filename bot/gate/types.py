"""What the gate takes in and gives back, with the transport's details left at the door."""

from __future__ import annotations

from dataclasses import dataclass

from intents.base import Attachment, Source
from intents.reply import Reply


@dataclass(frozen=True)
class Message:
    """Something a person said to, or near, the bot, as plain text."""

    team: str
    channel: str
    user: str
    text: str
    source: Source
    addressed: bool  # said to the bot (DM, mention, command, bot channel) vs overheard in a thread
    delivery_key: str  # identity of the delivery: a retry has the same key
    thread_ts: str | None = None  # the conversation the answer belongs to
    files: tuple[Attachment, ...] = ()
    user_team: str = ""  # the person's own workspace, when Slack says (Slack Connect guests)

    @property
    def dm(self) -> bool:
        return self.source == "dm" or self.channel.startswith("D")


@dataclass(frozen=True)
class Decision:
    """Approve or Cancel on a confirmation card, by someone."""

    plan_id: str
    approve: bool
    user: str
    team: str
    channel: str
    user_team: str = ""


@dataclass(frozen=True)
class Answer:
    """The gate's answer to a message; ``plan_id`` names the card it shows, if any."""

    reply: Reply
    plan_id: str | None = None
