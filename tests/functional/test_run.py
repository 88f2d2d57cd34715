"""`chatops run` as a process, in HTTP mode, against the local Slack stand-in and an
in-process moto server: it becomes healthy, answers a signed request, refuses an unsigned
one, and on SIGTERM finishes and exits cleanly."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.slack_api import SlackStandIn

TOKEN = "xoxb-run-test"
SECRET = "run-test-signing-secret"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, SlackStandIn]]:
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, moto_port = moto.get_host_and_port()
    slack = SlackStandIn(TOKEN).start()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATOPS_", "SLACK_", "AWS_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "CHATOPS_SLACK_API_URL": slack.url,
            "CHATOPS_AWS_ENDPOINT_URL": f"http://{host}:{moto_port}",
            "CHATOPS_PORT": str(port),
            "CHATOPS_STATE_DB": str(tmp_path / "state.db"),
            "CHATOPS_BOT_CHANNELS": "C0MLOPS",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_REGION": "us-east-1",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "chatops run did not become healthy"
            time.sleep(0.2)
        yield process, port, slack
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        slack.stop()
        moto.stop()


def _post(port: int, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


@pytest.mark.timeout(90)
def test_run_answers_refuses_and_stops_cleanly(running: Any) -> None:
    process, port, slack = running
    event = {
        "type": "message",
        "channel": "C0MLOPS",
        "user": "U0ALICE",
        "text": "help",
        "ts": "1800000000.000100",
        "channel_type": "channel",
    }
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "event_id": "Ev1",
            "event_time": 1,
        }
    ).encode()
    assert _post(port, body, _signed(body)) == 200
    assert _post(port, body, {"Content-Type": "application/json"}) == 401
    deadline = time.monotonic() + 20
    while not slack.posts() and time.monotonic() < deadline:
        time.sleep(0.1)
    posts = slack.posts()
    assert len(posts) == 1 and "What I can do" in posts[0].text
    assert posts[0].thread_ts == "1800000000.000100"
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert "rejected a request to /slack/events" in err  # the unsigned one, in one line


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


@pytest.mark.timeout(90)
def test_when_the_ack_process_dies_run_stops_with_one_line(
    running: Any,
) -> None:
    process, port, _slack = running
    # Given chatops run in HTTP mode: Slack is answered by a process of its own
    (acks,) = _children(process.pid)
    # When that process is killed
    os.kill(acks, signal.SIGKILL)
    # Then chatops run stops too (its supervisor restarts it; /healthz stops answering),
    # with one line saying why and a non-zero status, and nothing is left on the port
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 1, err
    assert f"chatops: the process answering Slack on port {port} exited with -9" in err
    assert "Traceback" not in err and "stopped" in err
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


@pytest.mark.timeout(90)
def test_when_chatops_run_is_killed_its_ack_process_goes_too(running: Any) -> None:
    process, port, _slack = running
    (acks,) = _children(process.pid)
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{acks}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{acks}").exists() or "Z" in _state(acks)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[16])


@pytest.mark.timeout(90)
def test_the_bots_work_runs_at_a_lower_priority_than_its_acks(running: Any) -> None:
    process, _port, _slack = running
    (acks,) = _children(process.pid)
    # CHATOPS_WORK_NICE (10 by default): every thread of the bot, none of the ack process
    threads = [int(t.name) for t in Path(f"/proc/{process.pid}/task").iterdir()]
    assert {_nice_of_thread(process.pid, t) for t in threads} == {_nice(acks) + 10}
    assert _nice(acks) == os.getpriority(os.PRIO_PROCESS, 0)


def _nice_of_thread(pid: int, tid: int) -> int:
    stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
    return int(stat.split(")")[-1].split()[16])
