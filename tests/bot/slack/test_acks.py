"""HTTP mode with the ack process: Slack is answered by a process of its own, and what it
acknowledges reaches the bot's Bolt app."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.slack.acks import AckProcess, AckProcessError
from bot.slack.http import early_answer, forwarding_app

SECRET = "test-signing-secret"
# Set, except while a test keeps the bot's dispatcher busy inside a listener.
DISPATCHER_FREE = threading.Event()
DISPATCHER_FREE.set()


def _signature(body: bytes, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(
        secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest}


# --------------------------------------------------------------------------- the WSGI app


def _call(app: Any, body: bytes, headers: dict[str, str], path: str = "/slack/events") -> str:
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    statuses: list[str] = []
    b"".join(app(environ, lambda status, _headers: statuses.append(status)))
    return statuses[0]


def test_forwards_what_is_signed_and_acks_with_nothing() -> None:
    forwarded: list[tuple[str, dict[str, str]]] = []
    app = forwarding_app(lambda body, headers: forwarded.append((body, headers)) or True, SECRET)
    body = json.dumps({"type": "event_callback", "event": {"type": "message"}}).encode()
    assert _call(app, body, _signature(body)).startswith("200")
    assert forwarded[0][0] == body.decode()
    assert forwarded[0][1]["x-slack-signature"].startswith("v0=")
    # Unsigned or signed with another secret: refused, never forwarded
    assert _call(app, body, {}).startswith("401")
    assert _call(app, body, _signature(body, "someone-else")).startswith("401")
    assert len(forwarded) == 1


def test_when_the_bot_cannot_take_it_slack_gets_a_503_and_retries_later() -> None:
    app = forwarding_app(lambda body, headers: False, SECRET)
    body = b'{"type": "event_callback"}'
    assert _call(app, body, _signature(body)).startswith("503")


def test_the_acks_that_carry_something() -> None:
    check = json.dumps({"type": "url_verification", "challenge": "c-123"})
    assert json.loads(early_answer(check) or b"") == {"challenge": "c-123"}
    assert early_answer(urlencode({"ssl_check": "1", "token": "x"})) == b""
    assert early_answer(json.dumps({"type": "event_callback", "text": "url_verification"})) is None
    assert early_answer(urlencode({"command": "/ml", "text": "ssl_check=1"})) is None


# --------------------------------------------------------------------------- the process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served() -> Iterator[tuple[AckProcess, int, list[dict[str, Any]], threading.Event]]:
    """A real ack process in front of a Bolt app whose listeners record what reaches them."""
    from slack_bolt import Ack
    from slack_bolt.authorization import AuthorizeResult

    from bot.slack.bolt import SafeApp

    def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None, team_id="T1", bot_token="xoxb-t", bot_user_id="U0BOT", bot_id="B0"
        )

    reached: list[dict[str, Any]] = []
    arrived = threading.Event()
    app = SafeApp(signing_secret=SECRET, authorize=authorize, process_before_response=True)

    def record(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        DISPATCHER_FREE.wait(60)
        reached.append(body)
        arrived.set()

    app.event("app_home_opened")(record)
    app.command("/ml")(record)
    port = _free_port()
    acks = AckProcess(app, SECRET, port, health=lambda: (False, "state: unreachable"))
    thread = threading.Thread(target=acks.serve, daemon=True)
    thread.start()
    _wait_listening(port)
    yield acks, port, reached, arrived
    DISPATCHER_FREE.set()
    acks.stop()
    thread.join(30)
    assert not thread.is_alive()


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the ack process did not start listening")


def _post(port: int, body: bytes, headers: dict[str, str], kind: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body,
        headers={"Content-Type": kind, **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_an_event_and_a_command_are_acked_there_and_reach_the_bolt_app(served: Any) -> None:
    _acks, port, reached, arrived = served
    event = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event": {"type": "app_home_opened", "user": "U1"},
            "event_id": "Ev1",
        }
    ).encode()
    assert _post(port, event, _signature(event), "application/json") == 200
    assert arrived.wait(30)
    assert reached[0]["event_id"] == "Ev1"
    arrived.clear()
    command = urlencode(
        {"command": "/ml", "text": "jobs", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}
    ).encode()
    assert _post(port, command, _signature(command), "application/x-www-form-urlencoded") == 200
    assert arrived.wait(30)
    assert reached[1]["text"] == "jobs"


def test_unsigned_requests_stop_at_the_ack_process(served: Any) -> None:
    _acks, port, reached, _arrived = served
    body = b'{"type": "event_callback", "event": {"type": "app_home_opened"}}'
    assert _post(port, body, {}, "application/json") == 401
    assert not reached


def test_health_is_the_bots_own(served: Any) -> None:
    _acks, port, _reached, _arrived = served
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
    assert failed.value.code == 503 and failed.value.read() == b"state: unreachable"


def test_stop_ends_the_ack_process(served: Any) -> None:
    acks, port, _reached, _arrived = served
    acks.stop()
    assert acks.process.wait(30) is not None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_taken_port_is_one_clear_error() -> None:
    from slack_bolt import App

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = App(signing_secret=SECRET, token_verification_enabled=False, token="xoxb-t")
        with pytest.raises(AckProcessError, match=f"port {port} exited with 2"):
            AckProcess(app, SECRET, port).serve()


def _event(event_id: str) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event": {"type": "app_home_opened", "user": "U1"},
            "event_id": event_id,
        }
    ).encode()


def test_acks_do_not_wait_for_the_bot(served: Any) -> None:
    _acks, port, reached, _arrived = served
    # Given the bot's dispatcher stuck in a listener (it reads nothing more from the socket)
    DISPATCHER_FREE.clear()
    first = _event("Ev0")
    assert _post(port, first, _signature(first), "application/json") == 200
    # When more requests come
    statuses = []
    for i in range(1, 21):
        body = _event(f"Ev{i}")
        statuses.append(_post(port, body, _signature(body), "application/json"))
    # Then every one is acknowledged by the ack process all the same
    assert statuses == [200] * 20
    # and the health check says the bot is not answering (so an orchestrator can act)
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
    assert failed.value.code == 503
    assert failed.value.read() == b"the bot did not answer a health check"
    # When the bot is free again, every acknowledged request reaches it, in order, once
    DISPATCHER_FREE.set()
    deadline = time.monotonic() + 30
    while len(reached) < 21 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [body["event_id"] for body in reached] == [f"Ev{i}" for i in range(21)]


def test_when_the_ack_process_dies_serve_stops_with_one_clear_error() -> None:
    from slack_bolt import App

    app = App(signing_secret=SECRET, token_verification_enabled=False, token="xoxb-t")
    port = _free_port()
    acks = AckProcess(app, SECRET, port)
    failures: list[BaseException] = []

    def serve() -> None:
        try:
            acks.serve()
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    _wait_listening(port)
    assert acks.process is not None
    acks.process.kill()
    thread.join(30)
    assert not thread.is_alive()
    assert len(failures) == 1 and isinstance(failures[0], AckProcessError)
    assert str(failures[0]) == f"the process answering Slack on port {port} exited with -9"


def test_when_the_bot_goes_away_the_ack_process_exits_and_frees_the_port() -> None:
    import subprocess
    import sys
    from multiprocessing.connection import Connection

    port = _free_port()
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from bot.slack.acks import main; sys.exit(main())",
            f"--port={port}",
            f"--fd={theirs.fileno()}",
        ],
        pass_fds=(theirs.fileno(),),
        stderr=subprocess.PIPE,
        text=True,
    )
    theirs.close()
    conn = Connection(ours.detach())
    try:
        conn.send_bytes(json.dumps({"k": "hello", "secret": SECRET}).encode())
        _wait_listening(port)
        # Given three acknowledged requests, two of them read by the bot
        for i in range(3):
            body = _event(f"Ev{i}")
            assert _post(port, body, _signature(body), "application/json") == 200
        for i in range(2):
            assert json.loads(conn.recv_bytes())["body"] == _event(f"Ev{i}").decode()
        assert conn.poll(10)  # the third is written: it sits in the socket, unread
    finally:
        # When the bot's end closes (the bot exited, or was killed)
        conn.close()
    # Then the ack process exits too, freeing the port
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert "Traceback" not in err


def test_a_full_backlog_refuses_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from multiprocessing.connection import Connection

    from bot.slack import acks

    monkeypatch.setattr(acks, "BACKLOG", 3)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        link = acks._Link(Connection(os.dup(theirs.fileno())))  # nothing sends: the bot is slow
        taken = [link.forward(f"body {i}", {}) for i in range(10)]
        assert taken == [True] * 3 + [False] * 7
        # a health check cannot be queued either, and says why
        assert link.health() == (False, "the bot is not keeping up with Slack's requests")
        link.conn.close()
    warnings = [r.getMessage() for r in caplog.records if "not reading requests" in r.getMessage()]
    assert warnings == ["the bot is not reading requests; answered 1 with 503 so Slack retries"]


def test_stopping_hands_over_everything_acknowledged_then_refuses(served: Any) -> None:
    acks, port, reached, _arrived = served
    # Given the bot's dispatcher stuck in a listener, and more acknowledged requests than
    # the socket between the processes holds (the rest wait in the ack process)
    DISPATCHER_FREE.clear()
    padding = "x" * 400_000
    sent = []
    for i in range(8):
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event": {"type": "app_home_opened", "user": "U1", "padding": padding},
                "event_id": f"Ev{i}",
            }
        ).encode()
        assert _post(port, body, _signature(body), "application/json") == 200
        sent.append(f"Ev{i}")
    # When the bot stops (SIGTERM, Ctrl-C) and is then free to read
    acks.stop()
    assert acks.process is not None
    DISPATCHER_FREE.set()
    # Then the ack process hands over everything it acknowledged before exiting, and the bot
    # dispatches all of it, once, in order
    assert acks.process.wait(30) == 0
    deadline = time.monotonic() + 30
    while len(reached) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [body["event_id"] for body in reached] == sent
    # and nothing more is taken
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
