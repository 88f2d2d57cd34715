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


# ---------------------------------------------------------------------------- issue 12: done when


def test_what_datasets_do_we_have_lists_the_catalog(box: Sandbox) -> None:
    (answer,) = say(box, "what datasets do we have")
    text = blocks_text(answer)
    assert "Datasets in the Glue Data Catalog" in text
    assert "ml_data.churn" in text and "s3://acme-ml-data/churn/train.csv" in text
    assert (
        "crm.customers" in text
        and "JDBC" in text
        and "support.tickets" in text
        and "DynamoDB" in text
    )
    assert "churn-prep" in text


def test_train_on_the_churn_table_shows_its_s3_location(box: Sandbox) -> None:
    (card,) = say(box, "train xgboost on the churn table")
    text = blocks_text(card)
    assert "Confirm: Start training job xgboost-" in text
    assert "s3://acme-ml-data/churn/train.csv" in text and "ml_data.churn" in text
    click(box, "Cancel")
    # A table whose data is not in S3 says how to get it there, and nothing is proposed
    (refused,) = say(box, "train xgboost on the crm.customers table")
    assert refused.kind == "ephemeral" and "not in S3" in blocks_text(refused)
    assert "Export it to S3 first" in blocks_text(refused)


def test_how_is_the_labeling_job_going_shows_its_counters(box: Sandbox) -> None:
    (answer,) = say(box, "how is the labeling job going")
    text = blocks_text(answer)
    assert "support-tickets-intent-labels" in text
    assert "1,840 of 4,003 labeled (46%): 1,210 by people, 630 by the machine" in text


def test_deploy_the_best_candidate_of_an_autopilot_job(box: Sandbox) -> None:
    sm = box.chatops.deps.aws.sagemaker
    job = sm.list_auto_ml_jobs()["AutoMLJobSummaries"][0]["AutoMLJobName"]
    (card,) = say(box, f"deploy the best candidate of {job}")
    text = blocks_text(card)
    assert f"Confirm: Deploy the best candidate of {job}" in text, text
    best = sm.describe_auto_ml_job_v2(AutoMLJobName=job)["BestCandidate"]["CandidateName"]
    assert best in text and "create model" in text and "containers" in text
    click(box, "Approve")
    model = sm.describe_model(ModelName=best)
    assert model["Containers"][0]["ModelDataUrl"].endswith("model.tar.gz")
    endpoints = [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
    assert any(e.startswith(f"{job}-") for e in endpoints)


def test_a_glue_run_from_a_card_is_followed_to_its_end(box: Sandbox) -> None:
    (card,) = say(box, "run the glue job churn-prep")
    assert "Confirm: Run Glue job churn-prep" in blocks_text(card)
    assert "Worst-case cost" in blocks_text(card)
    click(box, "Approve")
    updates = _follow(box)
    assert any("Succeeded" in blocks_text(r) and "churn-prep" in blocks_text(r) for r in updates)
    # The thread is about the Glue job now
    (status,) = say(box, "how is it doing?", thread_ts=card.thread_ts)
    assert "Glue ETL job churn-prep" in blocks_text(status)


def test_a_batch_transform_from_a_card(box: Sandbox) -> None:
    (card,) = say(box, "batch transform the churn_validation table with churn-xgb-model")
    text = blocks_text(card)
    assert "Confirm: Batch transform churn-xgb-model-" in text
    assert "s3://acme-ml-data/churn/validation.csv" in text and "Worst-case cost" in text
    click(box, "Approve")
    updates = _follow(box)
    assert any("Batch transform job churn-xgb-model-" in blocks_text(r) for r in updates)


def test_stop_it_in_a_tuning_jobs_thread(box: Sandbox) -> None:
    sm = box.chatops.deps.aws.sagemaker
    name = sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"][0][
        "HyperParameterTuningJobName"
    ]
    (status,) = say(box, f"how is {name} doing?")
    assert "Best training job so far" in blocks_text(status)
    (card,) = say(box, "stop it", thread_ts=status.thread_ts)
    text = blocks_text(card)
    assert f"Confirm: Stop hyperparameter tuning job {name}" in text
    # Not started through the bot: a second person approves
    assert "Needs a second person" in text
    click(box, "Approve", "U0CAROL")
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert described["HyperParameterTuningJobStatus"] == "Stopped"


def test_a_glue_job_the_bot_may_not_run_is_refused_before_a_card(box: Sandbox) -> None:
    # crm-customers-export is not tagged chatops:managed=true: the IAM policy would deny it
    (reply,) = say(box, "run the glue job crm-customers-export")
    text = blocks_text(reply)
    assert "I may not run Glue job crm-customers-export" in text and "Approve" not in text
    runs = box.chatops.deps.aws.glue.get_job_runs(JobName="crm-customers-export")["JobRuns"]
    assert runs == []
