"""Everything the bot sends to Slack goes through here: the :class:`bot.gate.outbox.Outbox`
for Slack, plus the reactions of the working indicator.

Slack API failures are logged (never with the token) and reported to the caller
as ``None``: a lost reply must not turn into an exception that loses the work.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import render
from intents.reply import Reply

log = logging.getLogger(__name__)


class SlackOutbox:
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
