"""HTTP mode: Slack's Events API, commands and interactivity at /slack/events, served by waitress.

Signatures are checked here, before Bolt parses anything: an unsigned, stale or
malformed request costs one comparison and one log line.

Two ways to serve: :func:`wsgi_app` hands each request to the Bolt app in this process;
:func:`forwarding_app` answers Slack at once and forwards the request (the ack process
of bot.slack.acks, which imports no Bolt). :func:`serve` runs either.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from bot.slack.verify import MAX_BODY_BYTES, SlackVerifier, reject

if TYPE_CHECKING:
    from slack_bolt import App

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Health = Callable[[], tuple[bool, str]]
Headers = dict[str, str]
# Forwards a verified request (body, headers); False when it cannot be taken now.
Forward = Callable[[str, Headers], bool]
THREADS = 8  # waitress threads, whichever way the app is served


def _plain(start_response: Callable[..., Any], status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _slack_request(
    environ: dict[str, Any], start_response: Callable[..., Any], verifier: SlackVerifier
) -> tuple[str, Headers] | list[bytes]:
    """The verified body and headers of a Slack request, or the response already started
    for a request that is not one (404, 405, 413, 401)."""
    path = environ.get("PATH_INFO", "")
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
        reject("body too large or of unknown size", path=path, size=max(length, 0), source=source)
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
    return body.decode("utf-8", errors="replace"), headers


def _health(
    environ: dict[str, Any], start_response: Callable[..., Any], health: Health | None
) -> list[bytes] | None:
    if environ.get("PATH_INFO", "") != "/healthz":
        return None
    ok, detail = health() if health else (True, "ok")
    return _plain(start_response, "200 OK" if ok else "503 Service Unavailable", detail.encode())


# What a Slack app answers a verified request with: (environ, start_response, body, headers).
Answer = Callable[[dict[str, Any], Callable[..., Any], str, Headers], Iterable[bytes]]


def _verified(signing_secret: str, health: Health | None, answer: Answer) -> WsgiApp:
    """/healthz, else Slack's signature checked before anything reads the body (401 when
    it is wrong), else *answer*."""
    verifier = SlackVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        checked = _health(environ, start_response, health)
        if checked is not None:
            return checked
        request = _slack_request(environ, start_response, verifier)
        if isinstance(request, list):
            return request
        return answer(environ, start_response, *request)

    return application


def wsgi_app(app: App, signing_secret: str, *, health: Health | None = None) -> WsgiApp:
    """Each verified request through the Bolt app in this process; Bolt's response is the ack."""
    from bot.slack.bolt import handle

    def answer(
        environ: dict[str, Any], start_response: Callable[..., Any], body: str, headers: Headers
    ) -> Iterable[bytes]:
        response = handle(app, body, headers, query=str(environ.get("QUERY_STRING") or ""))
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

    return _verified(signing_secret, health, answer)


def early_answer(body: str) -> bytes | None:
    """What Slack needs in the ack itself, for the two requests whose ack carries it: the
    Events API's URL check (its challenge back) and a command's SSL check (an empty 200).
    Every other request of this app is acknowledged with an empty 200."""
    if body.startswith("{") and '"url_verification"' in body:
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("type") == "url_verification":
            return json.dumps({"challenge": str(data.get("challenge", ""))}).encode()
    if body.startswith("ssl_check=1") or "&ssl_check=1" in body:
        return b""
    return None


def forwarding_app(
    forward: Forward, signing_secret: str, *, health: Health | None = None
) -> WsgiApp:
    """Acknowledge each verified request with what Bolt would answer (this app's listeners
    all ack with nothing) and forward it to the bot; 503 when it cannot take it now, so
    that Slack sends it again later rather than never hearing back."""

    def answer(
        environ: dict[str, Any], start_response: Callable[..., Any], body: str, headers: Headers
    ) -> Iterable[bytes]:
        early = early_answer(body)
        if early is not None:
            kind = "application/json" if early else "text/plain"
            start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(early)))])
            return [early]
        if not forward(body, headers):
            return _plain(start_response, "503 Service Unavailable", b"")
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    return _verified(signing_secret, health, answer)


def serve(
    app: App,
    signing_secret: str,
    port: int,
    *,
    health: Health | None = None,
    ack_process: bool = False,
    work_nice: int = 0,
    log_level: str = "INFO",
    log_format: str = "text",
) -> None:
    """Serve Slack on *port* until stopped. With *ack_process*, a small process of its own
    (bot.slack.acks, logging as this one does) answers Slack and forwards each request
    here, so no work of this process's can delay an ack; otherwise waitress calls the
    Bolt app in this process."""
    if ack_process:
        from bot.slack.acks import AckProcess

        AckProcess(
            app,
            signing_secret,
            port,
            threads=THREADS,
            health=health,
            work_nice=work_nice,
            log_level=log_level,
            log_format=log_format,
        ).serve()
        return
    from waitress import serve as waitress_serve

    waitress_serve(
        wsgi_app(app, signing_secret, health=health),
        host="0.0.0.0",
        port=port,
        threads=THREADS,
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
