"""Full stack: scheduled reports, cost and AI demos in the sandbox."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bot.sandbox import CHANNEL, Sandbox
from tests.conftest import blocks_text, click, say


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(
        scale=0, working_delay=5.0, traffic=False, start_follower=False, follow_seconds=(0.01, 0.05)
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


def test_scheduled_report_posts_what_chat_would_answer(box: Sandbox) -> None:
    say(box, "post the budget report every friday at 5pm")
    box.driver.click("U0ALICE", "Approve")  # type: ignore[union-attr]
    box.driver.settle()  # type: ignore[union-attr]
    schedule = box.chatops.deps.state.schedule(f"{CHANNEL}:budget")
    assert (schedule.frequency, schedule.day, schedule.time) == ("weekly", "friday", "17:00")

    # The scheduler mirrors the state file
    scheduler = box.chatops.scheduler
    scheduler.start()
    try:
        jobs = [j.id for j in scheduler._scheduler.get_jobs() if j.id != "__sync__"]
        assert jobs == [f"{CHANNEL}:budget"]
        start = len(box.slack.records)
        posted = scheduler.post(schedule.id)
        record = next(r for r in box.slack.records[start:] if r.kind == "post")
        after = len(box.slack.records)  # the report and its chart
        # A second process firing the same schedule at the same time posts nothing
        assert scheduler.post(schedule.id) is None and len(box.slack.records) == after
    finally:
        scheduler.stop()
    chat = say(box, "are we over budget?")[0]
    assert record.channel == CHANNEL and record.thread_ts is None
    assert "ml-platform-monthly" in blocks_text(record) and "86%" in blocks_text(record)
    assert "Scheduled budget report · every Friday at 17:00 UTC" in blocks_text(record)
    assert posted is not None and chat.blocks[1] == record.blocks[1]  # the same report as in chat


def test_cost_idle_and_monitor_answers(box: Sandbox) -> None:
    assert "Amazon SageMaker" in blocks_text(say(box, "how much did we spend this month?")[0])
    idle = blocks_text(say(box, "anything left running?")[0])
    assert "recsys-staging" in idle and "data-science-scratch" in idle
    monitor = blocks_text(say(box, "any drift on fraud-detector-prod?")[0])
    assert "fraud-detector-prod" in monitor and "with violations" in monitor


def test_ai_demos_and_what_the_sandbox_lacks(box: Sandbox) -> None:
    assert "*Cat*" in blocks_text(say(box, "what's in s3://acme-ml-data/images/cat.jpg")[0])
    assert "Negative" in blocks_text(say(box, "sentiment of 'the delivery was late again'")[0])
    lacks = blocks_text(say(box, "translate 'good morning' to German")[0])
    assert "Amazon Translate is not available in the offline sandbox" in lacks
    # Transcribe uploads and starts a billable job: a card first, then the work
    card = say(box, "transcribe s3://acme-ml-data/audio/standup.mp3")
    assert len(card) == 1 and "Confirm: Transcribe" in blocks_text(card[0])
    assert "per minute of audio" in blocks_text(card[0])
    transcribing = click(box, "Approve")
    assert "Transcribing" in blocks_text(transcribing[-1])
    start = len(box.slack.records)
    for _ in range(10):  # Transcribe moves QUEUED -> IN_PROGRESS -> COMPLETED, one step per check
        box.chatops.follower.poll_once()
        time.sleep(0.02)
    assert any("churn model retrain" in blocks_text(r) for r in box.slack.records[start:])
