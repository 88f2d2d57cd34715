"""Full stack, in the sandbox: reports post their charts (and lists as CSV) in the thread,
Model Monitor names what drifted, and an idle finding's button leads to the card."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import CHANNEL, Sandbox
from bot.sandbox.slack_api import Record
from tests.conftest import blocks_text, click, say

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    sandbox = Sandbox(
        scale=0,
        working_delay=5.0,
        traffic=False,
        start_follower=False,
        files_dir=tmp_path_factory.mktemp("files"),
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _files(box: Sandbox, thread: str) -> list[tuple[str, Path, str]]:
    """(title, saved path, alt text) of every file posted in a thread."""
    assert box.slack is not None
    return [
        (title, Path(path), alt)
        for r in box.slack.records
        if r.kind == "file" and r.thread_ts == thread
        for title, path, alt in zip(r.files, r.paths, r.alts, strict=True)
    ]


def _thread(record: Record) -> str:
    return record.thread_ts or record.ts


def test_cost_report_posts_a_stacked_daily_chart_with_a_forecast(box: Sandbox) -> None:
    (answer,) = say(box, "how much did we spend on sagemaker this month")
    assert "Forecast for" in blocks_text(answer)
    ((title, path, alt),) = _files(box, _thread(answer))
    assert path.read_bytes().startswith(PNG) and path.parent == box.files_dir
    assert "Amazon SageMaker costs this month" in title
    assert "hatched bars forecast" in alt
    # --json carries the path, for a person to open
    entry = next(
        r for r in box.slack.records if r.kind == "file" and r.thread_ts == _thread(answer)
    )
    assert entry.as_json()["files"] == [{"title": title, "path": str(path), "alt": alt}]
    json.dumps(entry.as_json())


def test_endpoint_health_posts_the_chart_of_the_unhealthy_endpoint(box: Sandbox) -> None:
    (answer,) = say(box, "are my endpoints healthy")
    files = _files(box, _thread(answer))
    assert [t for t, _, _ in files] == ["fraud-detector-prod: traffic, errors, latency"]
    assert "5-minute periods" in files[0][2] and files[0][1].read_bytes().startswith(PNG)


def test_any_drift_names_the_drifting_features(box: Sandbox) -> None:
    (answer,) = say(box, "any drift on fraud-detector-prod?")
    text = blocks_text(answer)
    assert "drifted from the baseline: *amount*, *country*" in text
    assert answer.text.startswith("fraud-detector-prod: amount, country")


def test_an_idle_studio_app_has_a_button_that_leads_to_a_card(box: Sandbox) -> None:
    (answer,) = say(box, "what's sitting idle?")
    text = blocks_text(answer)
    assert "dana-gpu-lab" in text and "Low Utilization Amazon EC2 Instances" in text
    # Bob clicks the finding's button: a card, asked for by Bob, in the report's thread
    (card,) = click(box, "Delete app dana-gpu-lab", user="U0BOB")
    assert "Delete Studio app dana-gpu-lab" in blocks_text(card)
    assert "Requested by <@U0BOB>" in blocks_text(card)
    assert card.thread_ts in (answer.ts, _thread(answer))  # the report's thread
    assert [b["text"]["text"] for b in card.buttons()] == ["Approve", "Cancel"]
    click(box, "Approve", user="U0BOB")
    again = blocks_text(say(box, "what's sitting idle?")[0])
    assert "dana-gpu-lab" not in again


def test_a_scheduled_cost_report_carries_its_chart(box: Sandbox) -> None:
    say(box, "post the cost report every day at 9am")
    click(box, "Approve")
    schedule = box.chatops.deps.state.schedule(f"{CHANNEL}:cost")
    assert box.slack is not None
    start = len(box.slack.records)
    box.chatops.scheduler.post(schedule.id)
    assert box.driver is not None and box.driver.settle(30)
    posted = [r for r in box.slack.records[start:] if r.kind == "post"]
    files = [r for r in box.slack.records[start:] if r.kind == "file"]
    assert "Scheduled cost report" in blocks_text(posted[0])
    assert files and files[0].thread_ts == posted[0].ts
    assert files[0].files[0].startswith("Costs yesterday")
