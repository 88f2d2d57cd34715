"""Full stack, as a user in the sandbox: confirmation cards, who may approve, follow-ups,
deploy / predict / delete. Jobs move instantly (the sandbox's moto extension at scale 0)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.sandbox import CHANNEL, Sandbox
from bot.sandbox.slack_api import Record
from tests.conftest import blocks_text, click, say, turn

DATASET = "s3://acme-ml-data/churn/train.csv"


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    sandbox = Sandbox(
        scale=0,
        working_delay=5.0,
        traffic=False,
        start_follower=False,
        settings_overrides={"approvers": ["U0CAROL"]},
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _follow(box: Sandbox) -> list[Record]:
    return turn(box, lambda: [box.chatops.follower.poll_once() for _ in range(3)])


def _training_jobs(box: Sandbox) -> list[str]:
    sm = box.chatops.deps.aws.sagemaker
    return [
        j["TrainingJobName"] for j in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]
    ]


def test_train_card_approve_follow_to_completed(box: Sandbox) -> None:
    before = set(_training_jobs(box))
    card = say(box, f"train xgboost on {DATASET}")
    assert len(card) == 1
    text = blocks_text(card[0])
    assert (
        "Confirm: Start training job xgboost-" in text
        and "Worst-case cost" in text
        and "$5.52" in text
    )
    assert [b["text"]["text"] for b in card[0].blocks[-1]["elements"]] == ["Approve", "Cancel"]
    assert set(_training_jobs(box)) == before, "nothing is created before approval"

    # Given bob (not the requester, not an approver) clicks Approve: refused, only he sees why
    refused = click(box, "Approve", "U0BOB")
    assert [r.kind for r in refused] == ["ephemeral"] and refused[0].user == "U0BOB"
    assert "Only <@U0ALICE> or <@U0CAROL> can approve" in blocks_text(refused[0])
    assert set(_training_jobs(box)) == before

    # When alice approves, the card is updated in place and one job starts
    approved = click(box, "Approve", "U0ALICE")
    assert {r.ts for r in approved} == {card[0].ts} and all(r.kind == "update" for r in approved)
    assert "Started training job" in blocks_text(
        approved[-1]
    ) and "Approved by <@U0ALICE>" in blocks_text(approved[-1])
    new = set(_training_jobs(box)) - before
    assert len(new) == 1
    job = new.pop()

    # Then the follow-up in the thread reaches Completed with metrics and billable time
    updates = _follow(box)
    assert updates and all(r.thread_ts == card[0].thread_ts for r in updates)
    final = blocks_text(updates[-1])
    assert f"{job}* completed" in final and "validation:auc" in final and "Billable time" in final

    # A second click does nothing but say why
    again = click(box, "Approve", "U0ALICE")
    assert again == [] or (again[0].kind == "ephemeral" and "already" in blocks_text(again[0]))
    assert len(set(_training_jobs(box)) - before) == 1


def test_a_configured_approver_may_approve_someone_elses_card(box: Sandbox) -> None:
    before = set(_training_jobs(box))
    say(box, f"train linear learner on {DATASET}", user="U0BOB")
    approved = click(box, "Approve", "U0CAROL")
    assert "Approved by <@U0CAROL>" in blocks_text(approved[-1])
    assert len(set(_training_jobs(box)) - before) == 1


def test_cancel_and_typed_no_create_nothing(box: Sandbox) -> None:
    before = set(_training_jobs(box))
    say(box, f"train kmeans on {DATASET}")
    cancelled = click(box, "Cancel", "U0ALICE")
    assert "Cancelled by <@U0ALICE>" in blocks_text(cancelled[-1])
    card = say(box, f"train pca on {DATASET}")[0]
    answer = say(box, "no", thread_ts=card.thread_ts)  # typed in the card's thread
    assert any("Cancelled by" in blocks_text(r) for r in answer)
    assert set(_training_jobs(box)) == before


def test_typed_yes_approves_the_pending_card(box: Sandbox) -> None:
    before = set(_training_jobs(box))
    card = say(box, f"train knn on {DATASET} feature_dim=3")[0]
    answer = say(box, "yes please", thread_ts=card.thread_ts)
    assert any("Started training job knn-" in blocks_text(r) for r in answer)
    assert len(set(_training_jobs(box)) - before) == 1


def test_expired_and_forged_clicks_do_nothing(box: Sandbox) -> None:
    before = set(_training_jobs(box))
    card = say(box, f"train xgboost on {DATASET} num_round=10")[0]
    store = box.chatops.deps.state
    plan_id = card.buttons()[0]["value"]
    # Forged: an id that was never issued, and a real id clicked from another channel
    forged = dict(card.buttons()[0], value="made-up-plan-id")
    replies = turn(box, lambda: box.driver.click_button("U0ALICE", card, forged))
    assert "unknown or no longer valid" in blocks_text(replies[0])
    elsewhere = Record(kind="post", channel="C0ELSEWHERE", ts=card.ts, blocks=card.blocks)
    replies = turn(box, lambda: box.driver.click_button("U0ALICE", elsewhere, card.buttons()[0]))
    assert "unknown or no longer valid" in blocks_text(replies[0])
    # Expired: the card's time is up
    store._db.execute("UPDATE plans SET expires_at = 0 WHERE id = ?", (plan_id,))
    replies = click(box, "Approve", "U0ALICE")
    assert any(r.kind == "update" and "Expired" in blocks_text(r) for r in replies)
    assert any(r.kind == "ephemeral" and "expired" in blocks_text(r) for r in replies)
    assert set(_training_jobs(box)) == before


def test_a_repeated_slack_delivery_makes_one_card_and_one_job(box: Sandbox) -> None:
    before = set(_training_jobs(box))
    driver = box.driver
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": "U0ALICE",
        "ts": box.slack.new_ts(),
        "text": f"train xgboost on {DATASET} num_round=20",
        "channel_type": "channel",
    }
    posts = turn(box, lambda: (driver._event(dict(event)), driver._event(dict(event))))
    assert len(posts) == 1
    click(box, "Approve", "U0ALICE")
    assert len(set(_training_jobs(box)) - before) == 1


def test_guardrail_refusal_names_the_rule(box: Sandbox) -> None:
    reply = say(box, f"train xgboost on {DATASET} using ml.p3.16xlarge")
    text = blocks_text(reply[0])
    assert (
        "not allowed" in text
        and "CHATOPS_ALLOWED_INSTANCE_TYPES" in text
        and "Allowed: ml.m5.large" in text
    )
    assert not reply[0].buttons()


def test_deploy_predict_delete(box: Sandbox) -> None:
    sm = box.chatops.deps.aws.sagemaker
    card = say(box, "deploy model churn-xgb-model-v2")
    assert "Confirm: Deploy churn-xgb-model-v2" in blocks_text(card[0])
    click(box, "Approve", "U0ALICE")
    endpoint = next(
        e["EndpointName"]
        for e in sm.list_endpoints()["Endpoints"]
        if e["EndpointName"].startswith("churn-xgb-model-v2-")
    )
    ready = _follow(box)
    assert any("is in service" in blocks_text(r) for r in ready)

    prediction = say(box, f"predict 34,1,0,59.99 with {endpoint}")
    assert "Prediction: *0." in blocks_text(prediction[0])
    json_prediction = say(box, 'invoke fraud-detector-prod with {"amount": 980}')
    assert "predictions" in blocks_text(json_prediction[0])
    missing = say(box, "predict 1,2,3 with no-such-endpoint")
    assert "There is no endpoint named no-such-endpoint" in blocks_text(missing[0])

    card = say(box, f"delete endpoint {endpoint}")
    assert f"Confirm: Delete endpoint {endpoint}" in blocks_text(card[0])
    done = click(box, "Approve", "U0ALICE")
    assert "Deleted endpoint" in blocks_text(done[-1])
    assert endpoint not in [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]


def test_stop_a_running_job_and_follow_it_to_stopped(box: Sandbox) -> None:
    job = next(j for j in box.seeded["training_jobs"] if j.startswith("fraud-xgb-retrain-"))
    card = say(box, f"stop training job {job}")
    assert f"Confirm: Stop training job {job}" in blocks_text(card[0])
    # It was not started through the bot: whose it is can't be told, so a second person approves
    assert "Needs a second person: it was not started through me" in blocks_text(card[0])
    refused = click(box, "Approve", "U0ALICE")
    assert refused and refused[0].kind == "ephemeral" and "second person" in blocks_text(refused[0])
    click(box, "Approve", "U0CAROL")
    updates = _follow(box)
    assert any("stopped" in blocks_text(r) for r in updates)
    status = box.chatops.deps.aws.sagemaker.describe_training_job(TrainingJobName=job)[
        "TrainingJobStatus"
    ]
    assert status == "Stopped"


def test_autopilot_to_the_best_candidate(box: Sandbox) -> None:
    card = say(box, f"run autopilot on {DATASET} to predict churned")
    assert "Confirm: Start Autopilot job autopilot-" in blocks_text(card[0])
    click(box, "Approve", "U0ALICE")
    updates = _follow(box)
    final = blocks_text(updates[-1])
    assert "Best candidate" in final and "F1 = " in final and "Top candidates" in final


def test_list_jobs_covers_every_kind(box: Sandbox) -> None:
    text = blocks_text(say(box, "list all jobs")[0])
    for kind in (
        "Training",
        "Processing",
        "Labeling (Ground Truth)",
        "Compilation (Neo)",
        "Autopilot",
    ):
        assert f"*{kind}*" in text
    assert "support-tickets-intent-labels" in text


def test_multi_turn_training_conversation(box: Sandbox) -> None:
    first = say(box, "train a model", user="U0BOB")
    assert "Which algorithm?" in blocks_text(first[0])
    thread = first[0].thread_ts  # the questions are asked, and answered, in the thread
    second = say(box, "xgboost", user="U0BOB", thread_ts=thread)
    assert "Which dataset?" in blocks_text(second[0])
    card = say(box, DATASET, user="U0BOB", thread_ts=thread)
    assert "Confirm: Start training job xgboost-" in blocks_text(card[0])
    assert json.dumps(card[0].blocks).count("plan_approve") == 1
