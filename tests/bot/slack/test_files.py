"""Attachment downloads: the token only goes to Slack's file hosts, never on a redirect,
and a download stops at the size limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.slack.files import SlackFiles
from intents.base import Attachment
from intents.errors import InvalidInput


class Seen:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, Authorization header)
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}


@pytest.fixture
def server() -> Iterator[tuple[str, Seen]]:
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            seen.requests.append((self.path, self.headers.get("Authorization", "")))
            status, headers, body = seen.routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()


def _file(url: str) -> Attachment:
    return Attachment(id="F1", name="cat.jpg", mimetype="image/jpeg", size=10, url=url)


def test_the_token_goes_to_the_file_host_only(server: tuple[str, Seen]) -> None:
    base, seen = server
    seen.routes["/f/cat.jpg"] = (200, {}, b"\xff\xd8jpeg")
    files = SlackFiles("xoxb-secret", extra_hosts={"127.0.0.1"})
    assert files(_file(f"{base}/f/cat.jpg"), 1000) == b"\xff\xd8jpeg"
    assert seen.requests == [("/f/cat.jpg", "Bearer xoxb-secret")]


def test_a_redirect_is_followed_without_the_token(server: tuple[str, Seen]) -> None:
    base, seen = server
    seen.routes["/f/cat.jpg"] = (302, {"Location": "/cdn/cat.jpg"}, b"")
    seen.routes["/cdn/cat.jpg"] = (200, {}, b"img")
    files = SlackFiles("xoxb-secret", extra_hosts={"127.0.0.1"})
    assert files(_file(f"{base}/f/cat.jpg"), 1000) == b"img"
    assert seen.requests == [("/f/cat.jpg", "Bearer xoxb-secret"), ("/cdn/cat.jpg", "")]


def test_a_redirect_elsewhere_is_refused(server: tuple[str, Seen]) -> None:
    base, seen = server
    seen.routes["/f/cat.jpg"] = (302, {"Location": "https://evil.example/steal"}, b"")
    with pytest.raises(InvalidInput, match="sent me elsewhere"):
        SlackFiles("xoxb-secret", extra_hosts={"127.0.0.1"})(_file(f"{base}/f/cat.jpg"), 1000)


def test_other_hosts_and_plain_http_are_refused_before_any_request() -> None:
    files = SlackFiles("xoxb-secret")
    for url in (
        "https://evil.example/x.jpg",
        "http://files.slack.com/x.jpg",
        "file:///etc/passwd",
        "",
    ):
        with pytest.raises(InvalidInput, match="can't download"):
            files(_file(url), 1000)


def test_downloads_stop_at_the_limit(server: tuple[str, Seen]) -> None:
    base, seen = server
    seen.routes["/f/big.jpg"] = (200, {}, b"x" * 5000)
    with pytest.raises(InvalidInput, match="too large"):
        SlackFiles("t", extra_hosts={"127.0.0.1"})(_file(f"{base}/f/big.jpg"), 1000)
