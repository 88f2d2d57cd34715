"""HTTP mode: requests that are not Slack's are refused before anything parses them,
with one short WARNING line and nothing of the body, tokens or response URL in the log."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.logs import redact, setup_logging
from bot.slack.http import wsgi_app

SECRET = "test-signing-secret"


def _signed(body: bytes, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(
        secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp, "HTTP_X_SLACK_SIGNATURE": "v0=" + digest}


@pytest.fixture
def call() -> Callable[..., tuple[str, list[bytes]]]:
    """The HTTP layer in front of a real Bolt app whose one listener records what reached it."""
    from slack_bolt import Ack

    from bot.slack.bolt import SafeApp

    reached: list[bytes] = []
    from slack_bolt.authorization import AuthorizeResult

    def authorize(**_: Any) -> AuthorizeResult:  # no Slack to ask: this test's own workspace
        return AuthorizeResult(
            enterprise_id=None,
            team_id="T1",
            bot_token="xoxb-http-test",
            bot_user_id="U0BOT",
            bot_id="B0BOT",
        )

    app = SafeApp(signing_secret=SECRET, authorize=authorize)

    def on_check(ack: Ack, body: dict[str, Any]) -> None:
        reached.append(json.dumps(body, sort_keys=True).encode())
        ack()

    app.event("app_home_opened")(on_check)
    app.command("/ml")(on_check)
    application = wsgi_app(app, SECRET)

    def run(
        body: bytes,
        headers: dict[str, str],
        *,
        method: str = "POST",
        length: str | None = None,
        path: str = "/slack/events",
        content_type: str = "application/json",
    ) -> tuple[str, list[bytes]]:
        status: list[str] = []
        environ = {
            "PATH_INFO": path,
            "REQUEST_METHOD": method,
            "REMOTE_ADDR": "203.0.113.9",
            "CONTENT_LENGTH": str(len(body)) if length is None else length,
            "CONTENT_TYPE": content_type,
            "wsgi.input": io.BytesIO(body),
            **headers,
        }
        application(environ, lambda s, h: status.append(s))
        return status[0], reached

    return run


def test_a_signed_request_reaches_bolt_with_its_body(call: Any) -> None:
    event = {"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "home"}
    payload = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "event_id": "Ev1",
        "event_time": 1,
    }
    body = json.dumps(payload).encode()
    status, reached = call(body, _signed(body))
    assert status == "200 OK" and [json.loads(r)["event"] for r in reached] == [event]


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "event_callback", "team_id": "T1", "event": True},
        {"type": "event_callback", "team_id": "T1", "event": {"type": "message", "user": -1}},
        {"type": ["block_actions"], "actions": "approve"},
        [1, 2, 3],
    ],
)
def test_a_signed_but_malformed_body_is_a_quiet_400(call: Any, caplog: Any, payload: Any) -> None:
    body = json.dumps(payload).encode()
    with caplog.at_level(logging.DEBUG):
        status, reached = call(body, _signed(body))
    assert status.startswith("400") and reached == []
    assert not any(r.exc_info for r in caplog.records)
    assert all(r.levelno <= logging.WARNING for r in caplog.records)


def test_a_signed_form_that_is_not_a_form_is_a_quiet_400(call: Any, caplog: Any) -> None:
    body = b"payload=%7Bnot-json"
    status, reached = call(body, _signed(body), content_type="application/x-www-form-urlencoded")
    assert (
        status.startswith("400") and reached == [] and not any(r.exc_info for r in caplog.records)
    )


@pytest.mark.parametrize(
    "headers, why",
    [
        ({}, "missing or malformed timestamp"),
        (
            {
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": "not-a-number",
                "HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64,
            },
            "missing or malformed timestamp",
        ),
        (
            {
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": "9" * 40,
                "HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64,
            },
            "missing or malformed timestamp",
        ),
        (
            {
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time())),
                "HTTP_X_SLACK_SIGNATURE": "sha1=abc",
            },
            "missing or malformed signature",
        ),
        (
            {
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time())),
                "HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64,
            },
            "bad signature",
        ),
    ],
)
def test_unsigned_or_malformed_requests_get_401_and_one_quiet_line(
    call: Any, caplog: Any, headers: dict[str, str], why: str
) -> None:
    body = urlencode(
        {
            "token": "legacyVerif1234",
            "response_url": "https://hooks.slack.com/commands/T1/2/abc",
            "text": "delete endpoint prod",
        }
    ).encode()
    with caplog.at_level(logging.DEBUG):
        status, reached = call(body, headers)
    assert status == "401 Unauthorized" and reached == []
    lines = [r for r in caplog.records if r.name.startswith(("bot", "slack"))]
    assert [(r.levelname, r.getMessage()) for r in lines] == [
        (
            "WARNING",
            f"rejected a request to /slack/events ({len(body)} bytes from 203.0.113.9): {why}",
        )
    ]
    assert not any(r.exc_info for r in caplog.records)


def test_a_stale_or_foreign_signature_is_refused(call: Any) -> None:
    body = b'{"type": "event_callback"}'
    assert call(body, _signed(body, ts=int(time.time()) - 600))[0] == "401 Unauthorized"
    assert call(body, _signed(body, secret="someone-else"))[0] == "401 Unauthorized"
    assert call(body + b" ", _signed(body))[0] == "401 Unauthorized"  # body changed after signing


def test_oversized_or_odd_requests_are_cut_short(call: Any) -> None:
    assert call(b"x", {}, length="2000000")[0] == "413 Payload Too Large"
    assert call(b"x", {}, length="-1")[0] == "413 Payload Too Large"
    assert call(b"x", {}, length="lots")[0] == "413 Payload Too Large"
    assert call(b"", {}, method="GET")[0] == "405 Method Not Allowed"
    assert call(b"", {}, path="/admin")[0] == "404 Not Found"


def test_healthz_reports_what_it_is_told() -> None:
    statuses: list[str] = []
    sick = wsgi_app(object(), SECRET, health=lambda: (False, "state: unreachable"))  # type: ignore[arg-type]
    body = sick({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: statuses.append(s))
    assert statuses == ["503 Service Unavailable"] and list(body) == [b"state: unreachable"]


def test_log_lines_never_carry_tokens_or_response_urls() -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", "text", stream=stream)
    try:
        logging.getLogger("bot.test").warning(
            "body token=legacyVerif1234&response_url=https://hooks.slack.com/commands/T1/2/abc with xoxb-123-456-abc"
        )
    finally:
        setup_logging("WARNING", "text")
    out = stream.getvalue()
    for secret in ("legacyVerif1234", "hooks.slack.com/commands", "xoxb-123-456-abc"):
        assert secret not in out
    assert redact("xapp-1-A1-abc") == "xapp-…redacted"
