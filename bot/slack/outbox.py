"""Everything the bot sends to Slack goes through here: the :class:`bot.gate.outbox.Outbox`
for Slack, plus the reactions of the working indicator.

Slack API failures are logged (never with the token) and reported to the caller
as ``None``: a lost reply must not turn into an exception that loses the work.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.render import render
from intents.reply import Reply

log = logging.getLogger(__name__)


METADATA_TYPE = "chatops_post"  # Slack message metadata: which post of ours a message is


def retry_handlers() -> list[Any]:
    """Retry what Slack asks us to (429 with Retry-After), its 5xx and dropped connections."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
        ConnectionErrorRetryHandler(max_retry_count=2),
    ]


class SlackOutbox:
    def __init__(self, client: WebClient, *, local_hosts: frozenset[str] = frozenset()) -> None:
        self.client = client
        # Slack's response URLs live on hooks.slack.com; the sandbox's stand-in on loopback.
        self.local_hosts = local_hosts
        self.response_hosts = frozenset({"hooks.slack.com"}) | local_hosts
        kinds = {type(h) for h in client.retry_handlers}
        client.retry_handlers.extend(h for h in retry_handlers() if type(h) not in kinds)

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        try:
            response = getattr(self.client, method)(**kwargs)
            return dict(response.data) if isinstance(response.data, dict) else {}
        except SlackApiError as exc:
            log.warning("slack %s failed: %s", method, exc.response.get("error", "unknown"))
        except Exception:  # network trouble: the caller decides what a lost post means
            log.exception("slack %s failed", method)
        return None

    def post(
        self, channel: str, reply: Reply, *, thread_ts: str | None = None, key: str | None = None
    ) -> str | None:
        """Post a reply; returns its ts. Files are uploaded into the same thread.

        *key* marks the message (Slack message metadata) so :meth:`posted` can find it
        again: how a restarted bot knows whether a post it meant to make was made."""
        if reply.silent:
            return None
        rendered = render(reply)
        extra: dict[str, Any] = {}
        if key:
            extra["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
        data = self._call(
            "chat_postMessage",
            channel=channel,
            text=rendered.text,
            blocks=rendered.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **extra,
        )
        ts = data.get("ts") if data else None
        self.upload(channel, reply, thread_ts=thread_ts or ts)
        return ts

    def posted(self, channel: str, thread_ts: str | None, key: str) -> str | None:
        """The ts of our message marked *key* in the thread (or channel), if there is one.

        None also when Slack could not be asked: the caller then decides whether to post."""
        if thread_ts:
            data = self._call(
                "conversations_replies",
                channel=channel,
                ts=thread_ts,
                include_all_metadata=True,
                limit=200,
            )
        else:
            data = self._call(
                "conversations_history", channel=channel, include_all_metadata=True, limit=200
            )
        for message in (data or {}).get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_TYPE
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return str(message.get("ts"))
        return None

    def upload(self, channel: str, reply: Reply, *, thread_ts: str | None) -> None:
        """A reply's files, in one upload (one message in the thread, a chart and its CSV
        side by side)."""
        if not reply.files:
            return
        self._call(
            "files_upload_v2",
            channel=channel,
            thread_ts=thread_ts,
            file_uploads=[
                {
                    "content": f.content,
                    "filename": f.filename,
                    "title": f.title or f.filename,
                    "alt_txt": f.alt[:1000] or None,
                }
                for f in reply.files
            ],
        )

    def delete(self, channel: str, ts: str) -> None:
        self._call("chat_delete", channel=channel, ts=ts)

    def update(self, channel: str, ts: str, reply: Reply, *, key: str | None = None) -> bool:
        rendered = render(reply)
        extra: dict[str, Any] = {}
        if key:
            extra["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
        return (
            self._call(
                "chat_update",
                channel=channel,
                ts=ts,
                text=rendered.text,
                blocks=rendered.blocks,
                **extra,
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

    def respond(self, response_url: str, reply: Reply) -> bool:
        """Answer a slash command through its response URL (works outside member channels).
        Only Slack's own response URLs are used; False when it could not be answered."""
        from slack_sdk.webhook import WebhookClient

        parts = urlparse(response_url)
        if parts.hostname not in self.response_hosts or (
            parts.scheme != "https" and parts.hostname not in self.local_hosts
        ):
            log.warning("a command's response URL is not Slack's; not answering through it")
            return False
        rendered = render(reply)
        try:
            response = WebhookClient(
                response_url, timeout=10, retry_handlers=retry_handlers()
            ).send(
                text=rendered.text,
                blocks=rendered.blocks,
                response_type="ephemeral" if reply.ephemeral else "in_channel",
            )
        except Exception as exc:
            log.warning("slack response_url failed (%s)", type(exc).__name__)
            return False
        return 200 <= response.status_code < 300

    def react(self, channel: str, ts: str, name: str) -> bool:
        return self._call("reactions_add", channel=channel, timestamp=ts, name=name) is not None

    def unreact(self, channel: str, ts: str, name: str) -> None:
        self._call("reactions_remove", channel=channel, timestamp=ts, name=name)
