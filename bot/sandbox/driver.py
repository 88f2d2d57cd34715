"""Plays the Slack side: signed Events API, slash command and button requests.

Each turn is a real Slack request (same JSON or form body, same
``X-Slack-Signature`` over the same bytes) dispatched through the Bolt app, so
the sandbox and the full-stack tests exercise exactly the production path.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack_api import BOT_USER_ID, TEAM_ID, Record, SlackStandIn
from bot.slack.bolt import handle


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that knows when all the work it was given is done."""

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="bolt")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


class SlackDriver:
    def __init__(
        self,
        app: App,
        signing_secret: str,
        slack: SlackStandIn,
        executor: TrackingExecutor,
        *,
        channel: str,
        team: str = TEAM_ID,
    ) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.slack = slack
        self.executor = executor
        self.channel = channel
        self.team = team
        self.last_ack_ms = 0.0

    # ------------------------------------------------------------------ sending

    def _dispatch(self, body: str, content_type: str) -> BoltResponse:
        timestamp = str(int(time.time()))
        signature = self.verifier.generate_signature(timestamp=timestamp, body=body) or ""
        headers: dict[str, str | Sequence[str]] = {
            "content-type": [content_type],
            "x-slack-request-timestamp": [timestamp],
            "x-slack-signature": [signature],
        }
        start = time.perf_counter()
        response = handle(self.app, body, headers)
        self.last_ack_ms = (time.perf_counter() - start) * 1000
        return response

    def message(
        self,
        user: str,
        text: str,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        channel_type: str = "channel",
        files: list[dict[str, Any]] | None = None,
        subtype: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, BoltResponse]:
        """A user's message; also sends the app_mention event when the bot is mentioned."""
        channel = channel or self.channel
        ts = self.slack.new_ts()
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": channel_type,
            "team": self.team,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if files:
            event["files"], event["subtype"] = files, "file_share"
        if subtype:
            event["subtype"] = subtype
        event.update(extra or {})
        response = self._event(event)
        if f"<@{BOT_USER_ID}>" in text and channel_type != "im":
            mention = {k: v for k, v in event.items() if k not in ("channel_type", "subtype")}
            mention["type"] = "app_mention"
            response = self._event(mention)
        return ts, response

    def open_home(self, user: str) -> BoltResponse:
        """The person opens the app's Home tab."""
        return self._event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": "D" + user[1:],
                "tab": "home",
                "event_ts": self.slack.new_ts(),
            }
        )

    def _event(self, event: dict[str, Any]) -> BoltResponse:
        body = json.dumps(
            {
                "token": "sandbox-verification-token",
                "team_id": self.team,
                "api_app_id": "A0SANDBOX",
                "event": event,
                "type": "event_callback",
                "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
                "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team, "user_id": BOT_USER_ID, "is_bot": True}],
            }
        )
        return self._dispatch(body, "application/json")

    def command(
        self, user: str, text: str, *, channel: str | None = None, name: str = "/ml"
    ) -> BoltResponse:
        form = {
            "token": "sandbox-verification-token",
            "team_id": self.team,
            "team_domain": "sandbox",
            "channel_id": channel or self.channel,
            "channel_name": "ml-ops",
            "user_id": user,
            "user_name": user.lower(),
            "command": name,
            "text": text,
            "api_app_id": "A0SANDBOX",
            "response_url": self.slack.response_url(user),
            "trigger_id": uuid.uuid4().hex,
        }
        return self._dispatch(urlencode(form), "application/x-www-form-urlencoded")

    def click(self, user: str, label: str) -> tuple[BoltResponse | None, Record | None]:
        """Click the button with this label on the latest bot message that offered it.
        When that message no longer offers it (a card decided since), nothing is clicked:
        (None, the message as it is now). (None, None) when no message offered it."""
        found = self.slack.latest_with_button(label)
        if found is None:
            return None, None
        record, button = found
        if button is None:
            return None, record
        return self.click_button(user, record, button), record

    def click_button(self, user: str, record: Record, button: dict[str, Any]) -> BoltResponse:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team},
            "api_app_id": "A0SANDBOX",
            "token": "sandbox-verification-token",
            "container": {
                "type": "message",
                "message_ts": record.ts,
                "channel_id": record.channel,
                "is_ephemeral": record.kind == "ephemeral",
            },
            "trigger_id": uuid.uuid4().hex,
            "team": {"id": self.team, "domain": "sandbox"},
            "channel": {"id": record.channel, "name": "ml-ops"},
            "message": {
                "type": "message",
                "ts": record.ts,
                "text": record.text,
                "blocks": record.blocks,
            },
            "response_url": self.slack.response_url(user),
            "actions": [
                {
                    "action_id": button.get("action_id"),
                    "block_id": "b",
                    "text": button.get("text"),
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        return self._dispatch(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until the bot has finished everything these requests started."""
        return self.executor.wait_idle(timeout)
