"""HTTP mode: Slack's Events API, commands and interactivity at /slack/events, served by waitress.

Signatures are checked here, before Bolt parses anything: an unsigned, stale or
malformed request costs one comparison and one log line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App

from bot.slack.bolt import handle
from bot.slack.verify import MAX_BODY_BYTES, SlackVerifier, reject

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Health = Callable[[], tuple[bool, str]]


def _plain(start_response: Callable[..., Any], status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def wsgi_app(app: App, signing_secret: str, *, health: Health | None = None) -> WsgiApp:
    verifier = SlackVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            ok, detail = health() if health else (True, "ok")
            return _plain(
                start_response, "200 OK" if ok else "503 Service Unavailable", detail.encode()
            )
        if path != "/slack/events":
            return _plain(start_response, "404 Not Found", b"not found")
        if environ.get("REQUEST_METHOD") != "POST":
            return _plain(start_response, "405 Method Not Allowed", b"")
        source = str(environ.get("REMOTE_ADDR", ""))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            reject(
                "body too large or of unknown size", path=path, size=max(length, 0), source=source
            )
            return _plain(start_response, "413 Payload Too Large", b"")
        body = environ["wsgi.input"].read(length) if length else b""
        problem = verifier.problem(
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            environ.get("HTTP_X_SLACK_SIGNATURE"),
            body,
        )
        if problem:
            reject(problem, path=path, size=len(body), source=source)
            return _plain(start_response, "401 Unauthorized", b"")
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and isinstance(value, str)
        }
        headers["content-type"] = str(environ.get("CONTENT_TYPE") or "")
        response = handle(
            app,
            body.decode("utf-8", errors="replace"),
            headers,
            query=str(environ.get("QUERY_STRING") or ""),
        )
        data = (
            response.body.encode()
            if isinstance(response.body, str)
            else bytes(response.body or b"")
        )
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        out_headers = [(k, v) for k, values in response.headers.items() for v in values]
        start_response(f"{response.status} {reason}", out_headers)
        return [data]

    return application


def serve(app: App, signing_secret: str, port: int, *, health: Health | None = None) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(
        wsgi_app(app, signing_secret, health=health),
        host="0.0.0.0",
        port=port,
        threads=8,
        ident="chatops",
    )


def serve_health(port: int, health: Health) -> None:
    """/healthz alone, on a daemon thread (Socket Mode has no HTTP server of its own)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/healthz":
            return _plain(start_response, "404 Not Found", b"not found")
        ok, detail = health()
        return _plain(
            start_response, "200 OK" if ok else "503 Service Unavailable", detail.encode()
        )

    server = make_server("0.0.0.0", port, application, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="healthz", daemon=True).start()
