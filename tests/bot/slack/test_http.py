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


class App:
    """Stands in for the Bolt app: records what reached it."""

    def __init__(self) -> None:
        self.reached: list[bytes] = []


def _signed(body: bytes, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(
        secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp, "HTTP_X_SLACK_SIGNATURE": "v0=" + digest}


@pytest.fixture
def call(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[str, list[bytes]]]:
    reached: list[bytes] = []

    class Handler:  # in place of Bolt's WSGI adapter: what would reach Bolt
        def __init__(self, app: Any) -> None:
            pass

        def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
            reached.append(environ["wsgi.input"].read())
            start_response("200 OK", [])
            return [b""]

    monkeypatch.setattr("bot.slack.http.SlackRequestHandler", Handler)
    application = wsgi_app(object(), SECRET)  # type: ignore[arg-type]

    def run(
        body: bytes,
        headers: dict[str, str],
        *,
        method: str = "POST",
        length: str | None = None,
        path: str = "/slack/events",
    ) -> tuple[str, list[bytes]]:
        status: list[str] = []
        environ = {
            "PATH_INFO": path,
            "REQUEST_METHOD": method,
            "REMOTE_ADDR": "203.0.113.9",
            "CONTENT_LENGTH": str(len(body)) if length is None else length,
            "wsgi.input": io.BytesIO(body),
            **headers,
        }
        application(environ, lambda s, h: status.append(s))
        return status[0], reached

    return run


def test_a_signed_request_reaches_bolt_with_its_body(call: Any) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    status, reached = call(body, _signed(body))
    assert status == "200 OK" and reached == [body]


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


def test_healthz_reports_what_it_is_told(monkeypatch: pytest.MonkeyPatch) -> None:
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
