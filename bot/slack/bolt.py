"""The Bolt app, made safe against malformed but signed payloads.

Slack's own payloads always have the documented shapes; anything else that carries a
valid signature (a bug, a replay with edits, a fuzzer) is answered 400 before Bolt's
own parsing sees it, with one WARNING line, and an exception inside Bolt's dispatch
never becomes a 500 with a traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

Headers = Mapping[str, str | Sequence[str]]

log = logging.getLogger(__name__)
_OBJECTS = ("event", "user", "channel", "team", "container", "message", "view", "enterprise")


def malformed(body: Any) -> str | None:
    """Why *body* cannot be a Slack payload, or None."""
    if not isinstance(body, Mapping):
        return "not an object"
    for key in _OBJECTS:
        if key in body and body[key] is not None and not isinstance(body[key], Mapping):
            if key in ("user", "channel", "team") and isinstance(body[key], str):
                continue  # some payloads carry plain ids here
            return f"{key} is not an object"
    event = body.get("event")
    if isinstance(event, Mapping) and not isinstance(event.get("type"), str):
        return "event has no type"
    actions = body.get("actions")
    if actions is not None and (
        not isinstance(actions, list)
        or not all(isinstance(a, Mapping) and isinstance(a.get("action_id"), str) for a in actions)
    ):
        return "actions is not a list of actions with ids"

    if "type" in body and not isinstance(body["type"], str):
        return "type is not a string"
    return None


class SafeApp(App):
    def dispatch(self, req: BoltRequest) -> BoltResponse:
        problem = malformed(req.body)
        if problem:
            log.warning("ignored a signed but malformed request: %s", problem)
            return BoltResponse(status=400, body="")
        try:
            return super().dispatch(req)
        except Exception as exc:
            log.warning("could not dispatch a request (%s)", type(exc).__name__)
            return BoltResponse(status=400, body="")


def handle(app: App, body: str, headers: Headers, *, query: str = "") -> BoltResponse:
    """One Slack HTTP request through the app: Bolt parses the body (a body it cannot
    parse is a 400, not a traceback) and dispatches it. Every transport goes through here."""
    try:
        request = BoltRequest(body=body, query=query, headers=dict(headers))
    except Exception as exc:
        log.warning("ignored a signed but unreadable request (%s)", type(exc).__name__)
        return BoltResponse(status=400, body="")
    return app.dispatch(request)


def socket_mode_handler(app: App, app_token: str) -> Any:
    """Socket Mode, with the same protection: a payload Bolt cannot read is acknowledged
    (so Slack does not resend it) and logged in one line."""
    from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
    from slack_sdk.socket_mode.response import SocketModeResponse

    class SafeSocketModeHandler(SocketModeHandler):
        def handle(self, client: Any, req: Any) -> None:
            start = time.time()
            try:
                response = run_bolt_app(self.app, req)
            except Exception as exc:
                log.warning("ignored an unreadable Socket Mode payload (%s)", type(exc).__name__)
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            send_response(client, req, response, start)

    return SafeSocketModeHandler(app, app_token)
