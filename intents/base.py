"""The values handlers take and give: one understood request, an approved plan, a job's progress.

A handler is a plain function ``(Request, Deps) -> Reply`` registered on its
area's :class:`intents.registry.Router`. A mutating intent's handler returns a
:class:`intents.reply.Proposal` instead; its executor runs only after someone
approved the proposal, and gets an :class:`Approved`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from intents.reply import Reply

Source = Literal["message", "mention", "dm", "command", "thread", "action", "schedule"]


@dataclass(frozen=True)
class Attachment:
    """A file attached to the message (an image or a recording for the AI demos)."""

    id: str
    name: str
    mimetype: str
    size: int
    url: str = ""  # where the transport can download it from


@dataclass(frozen=True)
class Request:
    """One understood request, whichever way it came in."""

    id: str
    intent: str
    slots: Mapping[str, str]
    user: str
    channel: str
    team: str = ""  # the workspace the app is installed in
    thread_ts: str | None = None
    text: str = ""
    files: tuple[Attachment, ...] = ()
    source: Source = "message"
    # A stable identity of the delivery (team/channel/ts or trigger id):
    # a retried delivery of the same message gets the same key.
    origin_key: str = ""
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    user_team: str = ""  # the person's own workspace (differs for Slack Connect guests)

    def slot(self, name: str) -> str | None:
        value = self.slots.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Approved:
    """A proposal someone approved: what the executor runs."""

    plan_id: str
    intent: str
    params: Mapping[str, Any]
    requester: str
    approver: str
    channel: str
    thread_ts: str | None
    request_id: str
    origin_key: str


@dataclass(frozen=True)
class Progress:
    """A followed job's state, as a follower reports it."""

    status: str  # what changed is posted when this string changes
    terminal: bool = False
    reply: Reply | None = None  # posted in the thread when status changes


def unquote(text: str) -> str:
    """A value as written, without the quotes or backticks around it."""
    value = text.strip().strip("`").strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1].strip()
    return value
