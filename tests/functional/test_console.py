"""The sandbox as a try-out: people by name, scripts that use the names the bot generates,
played a line at a time as the bot answers, and clicks that never land on another card."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.console import Console

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(scale=0, working_delay=5.0, traffic=False, start_follower=False)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _console(box: Sandbox) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(box, out=out), out


def test_as_takes_a_name_or_an_id(box: Sandbox) -> None:
    console, out = _console(box)
    console.turn("!as bob")
    assert console.user == "U0BOB" and "now speaking as @bob" in out.getvalue()
    console.turn("!as @Carol")
    assert console.user == "U0CAROL"
    console.turn("!as U0ALICE")
    assert console.user == "U0ALICE"
    console.turn("!as dave")
    assert console.user == "U0ALICE" and "not a user: 'dave'" in out.getvalue()


def test_a_script_trains_deploys_invokes_and_deletes_with_the_generated_names(
    box: Sandbox,
) -> None:
    console, out = _console(box)
    script = [
        "train xgboost on s3://acme-ml-data/churn/train.csv",
        "!click Approve",
        "deploy $LAST_JOB",
        "!click Approve",
        "predict 1,2,3 with $LAST_ENDPOINT",
        "delete endpoint $LAST_ENDPOINT",
        "!click Approve",
    ]
    assert console.run(script) == 0
    said = out.getvalue()
    job, endpoint = console.last_name("LAST_JOB"), console.last_name("LAST_ENDPOINT")
    assert job and endpoint and endpoint.startswith(job + "-")
    assert f"alice> deploy {job}" in said
    assert f"{endpoint}* says:" in said and "Prediction:" in said
    assert f"Deleted endpoint *{endpoint}*" in said
    sm = box.chatops.deps.aws.sagemaker
    assert endpoint not in [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]


def test_a_variable_that_names_nothing_plays_no_turn(tmp_path: Path) -> None:
    box = Sandbox(scale=0, working_delay=5.0, traffic=False, start_follower=False)
    box.start()
    try:
        console, out = _console(box)
        before = len(box.slack.records)  # type: ignore[union-attr]
        console.turn("delete endpoint $LAST_ENDPOINT")
        assert "$LAST_ENDPOINT names nothing yet" in out.getvalue()
        assert len(box.slack.records) == before  # type: ignore[union-attr]
    finally:
        box.stop()


def test_click_on_a_decided_card_says_so_and_clicks_nothing_else(box: Sandbox) -> None:
    console, out = _console(box)
    # Given an older card still pending and a newer one cancelled
    console.run(
        [
            "delete endpoint recsys-staging",
            "train kmeans on s3://acme-ml-data/segments/customers.csv",
        ]
    )
    console.turn("!click Cancel")
    pending = box.chatops.state.pending_plans("C0MLOPS")
    assert [p.title for p in pending if "recsys-staging" in p.title]
    # When someone clicks Approve again
    console.turn("!click Approve")
    # Then the console says the latest card is decided, and the older card stays pending
    assert "already decided; nothing clicked" in out.getvalue()
    still = box.chatops.state.pending_plans("C0MLOPS")
    assert [p.id for p in still] == [p.id for p in pending]
    for plan in still:
        box.chatops.state.decide(plan.id, state="cancelled", by="U0ALICE")


def _read_until(proc: subprocess.Popen[str], needle: str, timeout: float = 60.0) -> list[dict]:
    assert proc.stdout is not None
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if not ready:
            continue
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(json.loads(line))
        if needle in line:
            return seen
    raise AssertionError(f"no {needle!r} within {timeout} s; saw {seen}")


def test_piped_lines_are_played_as_they_come(tmp_path: Path) -> None:
    # Given the sandbox reading a pipe that stays open
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", "--json", "--speed", "100"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdin is not None
    try:
        # When a line is written, the bot answers it before the next line exists
        proc.stdin.write("train xgboost on s3://acme-ml-data/churn/train.csv\n")
        proc.stdin.flush()
        card = _read_until(proc, "Confirm: Start training job")
        job = next(r["text"] for r in card if "Confirm" in r["text"]).rsplit(" ", 1)[-1]
        # And a line written after it can use the name the bot just generated
        proc.stdin.write("!click Approve\nhow is $LAST_JOB doing?\n")
        proc.stdin.flush()
        _read_until(proc, f"{job}:")
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
