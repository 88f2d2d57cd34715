"""Everything the bot sends to Slack goes through here.

Slack API failures are logged (never with the token) and reported to the caller
as ``None``: a lost reply must not turn into an exception that loses the work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import render
from intents.reply import Reply

log = logging.getLogger(__name__)
WORKING_REACTION = "hourglass_flowing_sand"
WORKING_DELAY = 1.0  # seconds before we show that we're working


class SlackOut:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        try:
            response = getattr(self.client, method)(**kwargs)
            return dict(response.data) if isinstance(response.data, dict) else {}
        except SlackApiError as exc:
            log.warning("slack %s failed: %s", method, exc.response.get("error", "unknown"))
        except Exception:  # network trouble: the caller decides what a lost post means
            log.exception("slack %s failed", method)
        return None

    def post(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str | None:
        """Post a reply; returns its ts. Files are uploaded into the same thread."""
        if reply.silent:
            return None
        rendered = render(reply)
        data = self._call(
            "chat_postMessage",
            channel=channel,
            text=rendered.text,
            blocks=rendered.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
        ts = data.get("ts") if data else None
        self.upload(channel, reply, thread_ts=thread_ts or ts)
        return ts

    def upload(self, channel: str, reply: Reply, *, thread_ts: str | None) -> None:
        for f in reply.files:
            self._call(
                "files_upload_v2",
                channel=channel,
                thread_ts=thread_ts,
                content=f.content,
                filename=f.filename,
                title=f.title or f.filename,
            )

    def delete(self, channel: str, ts: str) -> None:
        self._call("chat_delete", channel=channel, ts=ts)

    def update(self, channel: str, ts: str, reply: Reply) -> bool:
        rendered = render(reply)
        return (
            self._call(
                "chat_update", channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks
            )
            is not None
        )

    def ephemeral(
        self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        rendered = render(reply)
        self._call(
            "chat_postEphemeral",
            channel=channel,
            user=user,
            text=rendered.text,
            blocks=rendered.blocks,
            thread_ts=thread_ts,
        )

    def respond(self, response_url: str, reply: Reply) -> None:
        """Answer a slash command through its response URL (works outside member channels)."""
        from slack_sdk.webhook import WebhookClient

        rendered = render(reply)
        try:
            WebhookClient(response_url, timeout=10).send(
                text=rendered.text,
                blocks=rendered.blocks,
                response_type="ephemeral" if reply.ephemeral else "in_channel",
            )
        except Exception:
            log.exception("slack response_url failed")

    def react(self, channel: str, ts: str, name: str) -> bool:
        return self._call("reactions_add", channel=channel, timestamp=ts, name=name) is not None

    def unreact(self, channel: str, ts: str, name: str) -> None:
        self._call("reactions_remove", channel=channel, timestamp=ts, name=name)


class Working:
    """Shows that the bot is working when an answer takes longer than a second.

    For a message: a reaction on it, removed when the answer is posted. For a
    slash command (no message to react to): a placeholder post that the answer
    then replaces.
    """

    def __init__(
        self,
        out: SlackOut,
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

    def finish(self, reply: Reply) -> str | None:
        """Post (or put in place of the placeholder) the answer; returns its ts."""
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self.placeholder_ts and reply.silent:
                self.out.delete(self.channel, self.placeholder_ts)
                return None
            if self.placeholder_ts and self.out.update(self.channel, self.placeholder_ts, reply):
                self.out.upload(
                    self.channel, reply, thread_ts=self.thread_ts or self.placeholder_ts
                )
                return self.placeholder_ts
            ts = self.out.post(self.channel, reply, thread_ts=self.thread_ts)
            if self._reacted and self.message_ts:
                self.out.unreact(self.channel, self.message_ts, WORKING_REACTION)
            return ts
