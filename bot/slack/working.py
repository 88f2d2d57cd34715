"""Shows that the bot is working when an answer takes longer than a second."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.slack.outbox import SlackOutbox
from intents.reply import Reply

WORKING_REACTION = "hourglass_flowing_sand"
WORKING_DELAY = 1.0  # seconds before we show that we're working


class Working:
    """Shows that the bot is working when an answer takes longer than a second.

    For a message: a reaction on it, removed when the answer is posted. For a
    slash command (no message to react to): a placeholder post that the answer
    then replaces.
    """

    def __init__(
        self,
        out: SlackOutbox,
        channel: str,
        *,
        message_ts: str | None,
        thread_ts: str | None,
        placeholder: Reply | None = None,
        delay: float = WORKING_DELAY,
        timer: Callable[[float, Callable[[], None]], threading.Timer] = threading.Timer,
    ) -> None:
        self.out, self.channel = out, channel
        self.message_ts, self.thread_ts = message_ts, thread_ts
        self._placeholder = placeholder
        self._lock = threading.Lock()
        self._done = False
        self._reacted = False
        self.placeholder_ts: str | None = None
        self._timer = timer(delay, self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._done:
                return
            if self.message_ts:
                self._reacted = self.out.react(self.channel, self.message_ts, WORKING_REACTION)
            elif self._placeholder is not None:
                self.placeholder_ts = self.out.post(
                    self.channel, self._placeholder, thread_ts=self.thread_ts
                )

    def finish(self, reply: Reply, *, key: str | None = None) -> str | None:
        """Post (or put in place of the placeholder) the answer; returns its ts. *key*
        marks the post so a restarted bot can tell it was made."""
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self.placeholder_ts and reply.silent:
                self.out.delete(self.channel, self.placeholder_ts)
                return None
            if self.placeholder_ts and self.out.update(
                self.channel, self.placeholder_ts, reply, key=key
            ):
                self.out.upload(
                    self.channel, reply, thread_ts=self.thread_ts or self.placeholder_ts
                )
                return self.placeholder_ts
            ts = self.out.post(self.channel, reply, thread_ts=self.thread_ts, key=key)
            if self._reacted and self.message_ts:
                self.out.unreact(self.channel, self.message_ts, WORKING_REACTION)
            return ts
