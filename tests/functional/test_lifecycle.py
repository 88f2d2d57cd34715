"""Full stack, as a user in the sandbox: the whole ML lifecycle from a thread. A job's thread
is about that job, so "deploy it" and "how is it doing" there need no name."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.sandbox import Sandbox
from bot.sandbox.slack_api import Record
from tests.conftest import blocks_text, click, say, turn

DATASET = "s3://acme-ml-data/churn/train.csv"


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(scale=0, working_delay=5.0, traffic=False, start_follower=False)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _follow(box: Sandbox) -> list[Record]:
    return turn(box, lambda: [box.chatops.follower.poll_once() for _ in range(3)])


def _trained(box: Sandbox) -> tuple[str, str]:
    """Train xgboost through a card to Completed; (job name, its thread)."""
    card = say(box, f"train xgboost on {DATASET}")
    job = re.search(r"Start training job (xgboost-[\w-]+)", card[0].text)
    assert job is not None, card[0].text
    click(box, "Approve")
    done = _follow(box)
    assert any(f"{job.group(1)}* completed" in blocks_text(r) for r in done)
    thread = card[0].thread_ts
    assert thread is not None
    return job.group(1), thread


def test_deploy_the_trained_model_in_the_jobs_own_thread(box: Sandbox) -> None:
    job, thread = _trained(box)
    # When, in the job's thread, someone says "deploy the trained model"
    card = say(box, "deploy the trained model", thread_ts=thread)
    # Then it is the deploy card for that job's model, not "Which model?"
    text = blocks_text(card[0])
    assert f"Confirm: Deploy {job}" in text, text
    # And the endpoint's name carries one timestamp: the job's, plus a short id
    endpoint = re.search(rf"endpoint `({re.escape(job)}-[0-9a-f]{{4}})`", text)
    assert endpoint is not None, text
    assert len(re.findall(r"\d{8}-\d{6}", endpoint.group(1))) == 1
    click(box, "Cancel")


def test_it_means_the_threads_job(box: Sandbox) -> None:
    job, thread = _trained(box)
    card = say(box, "deploy it", thread_ts=thread)
    assert f"Confirm: Deploy {job}" in blocks_text(card[0])
    click(box, "Cancel")
    status = say(box, "how is it doing?", thread_ts=thread)
    assert f"Training job {job}" in blocks_text(status[0])


def test_a_thread_that_asked_about_a_job_is_about_it(box: Sandbox) -> None:
    job = next(j for j in box.seeded["training_jobs"] if j.startswith("churn-xgb-"))
    asked = say(box, f"how is {job} doing?")
    thread = asked[0].thread_ts
    card = say(box, "deploy it", thread_ts=thread)
    assert f"Confirm: Deploy {job}" in blocks_text(card[0])
    click(box, "Cancel")
