"""The only way the gate, the follower and the scheduler talk to the chat: four calls."""

from __future__ import annotations

from typing import Protocol

from intents.reply import Reply


class Outbox(Protocol):
    def post(
        self, channel: str, reply: Reply, *, thread_ts: str | None = None, key: str | None = None
    ) -> str | None:
        """Post a reply (and its files); returns its ts, or None when it could not be posted.
        *key* marks the post so that :meth:`posted` finds it again after a restart."""
        ...

    def posted(self, channel: str, thread_ts: str | None, key: str) -> str | None:
        """The ts of our post marked *key* in that thread, if it was made."""
        ...

    def update(self, channel: str, ts: str, reply: Reply) -> bool:
        """Replace a posted message; False when it could not be updated."""
        ...

    def ephemeral(
        self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        """Show a reply to one person only."""
        ...

    def respond(self, response_url: str, reply: Reply) -> bool:
        """Answer through a command's response URL (works where the bot is not a member);
        False when that was not possible."""
        ...
