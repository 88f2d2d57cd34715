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
    sandbox = Sandbox(
        scale=0, working_delay=5.0, traffic=False, start_follower=False, follow_seconds=(0.01, 0.05)
    )
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


def test_a_variable_that_names_nothing_plays_no_turn(box: Sandbox, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from bot.state import open_state

    # Given a bot that has proposed nothing yet (its own, empty state)
    fresh = open_state(tmp_path / "fresh.db")
    out = io.StringIO()
    new = SimpleNamespace(slack=box.slack, driver=box.driver, chatops=SimpleNamespace(state=fresh))
    console = Console(new, out=out)  # type: ignore[arg-type]
    before = len(box.slack.records)  # type: ignore[union-attr]
    console.turn("delete endpoint $LAST_ENDPOINT")
    assert "$LAST_ENDPOINT names nothing yet" in out.getvalue()
    assert len(box.slack.records) == before  # type: ignore[union-attr]
    fresh.close()


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


def test_attach_an_image_gets_labels_text_and_faces(box: Sandbox) -> None:
    console, out = _console(box)
    console.turn("!attach demo:storefront.png")
    said = out.getvalue()
    assert "📎 storefront.png" in said and "what's in this image?" in said
    assert "*Storefront* 97%" in said and "“ACME ML CAFE”" in said and "*Faces:* 2" in said


def test_attach_a_pdf_or_your_own_file(box: Sandbox, tmp_path: Path) -> None:
    console, out = _console(box)
    console.turn("!attach demo:report.pdf what's in this picture?")
    assert "report.pdf is a PDF; Rekognition reads JPEG and PNG images" in out.getvalue()
    picture = tmp_path / "holiday.png"
    from bot.sandbox.demo import STOREFRONT_PNG

    picture.write_bytes(STOREFRONT_PNG[:-12] + b"\x00" * 12)  # not a demo image it knows
    console.turn(f"!attach {picture} label this photo")
    said = out.getvalue()
    assert "In holiday.png:" in said and "does not really look at others" in said
    console.turn("!attach /nonexistent/cat.jpg")
    assert "cannot read /nonexistent/cat.jpg" in out.getvalue()


def test_a_file_no_demo_reads_is_named_not_taken_for_a_question(
    box: Sandbox, tmp_path: Path
) -> None:
    # 'what's in this file?' (the default words) once listed the Glue Data Catalog
    console, out = _console(box)
    console.turn("!attach demo:report.pdf")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    console.turn(f"!attach {notes} what's in the attached document?")
    said = out.getvalue()
    assert "report.pdf is a PDF; Rekognition reads JPEG and PNG images" in said
    assert "notes.txt is a text/plain file; Rekognition reads JPEG and PNG images" in said
    assert "DATASETS" not in said


def test_attach_a_long_recording_and_get_its_whole_transcript_as_a_file(box: Sandbox) -> None:
    console, out = _console(box)
    console.turn("!attach demo:all-hands.wav")
    console.turn("!click Approve")
    for _ in range(10):  # Transcribe moves one step per check
        box.chatops.follower.poll_once()
        time.sleep(0.06)
    box.driver.settle()  # type: ignore[union-attr]
    said = out.getvalue()
    assert "the whole transcript is attached" in said
    assert "📎 Transcript of transcribe-" in said


def test_the_slack_stand_in_gives_files_only_to_the_bots_token(box: Sandbox) -> None:
    import urllib.error
    import urllib.request

    slack = box.slack
    assert slack is not None
    file = slack.user_file("U0ALICE", "x.png", b"\x89PNG", "image/png")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(file["url_private_download"])
    assert refused.value.code == 403
    asked = urllib.request.Request(
        file["url_private_download"], headers={"Authorization": f"Bearer {slack.token}"}
    )
    assert urllib.request.urlopen(asked).read() == b"\x89PNG"


def test_an_answer_only_you_see_names_you(box: Sandbox) -> None:
    # A slash command's ephemeral answer (through its response_url) once read 'only @None'
    console, out = _console(box)
    console.turn("/ml stop")
    said = out.getvalue()
    assert "ml-bot (only @alice sees this)" in said and "@None" not in said
    assert "Which job should I stop?" in said
