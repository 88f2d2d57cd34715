"""The follower posts each status change once, backs off while nothing changes, and
picks up where it left off after a restart (what it follows is in the state file)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber
from slack_sdk import WebClient

from bot.follow import Follower
from bot.sandbox.slack_api import SlackStandIn
from bot.slack.outbox import SlackOutbox
from bot.state.sqlite import SqliteState

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _job(status: str, secondary: str, **extra: Any) -> dict[str, Any]:
    base = {
        "TrainingJobName": "xgb-1",
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:1:training-job/xgb-1",
        "TrainingJobStatus": status,
        "SecondaryStatus": secondary,
        "CreationTime": T0,
        "TrainingStartTime": T0,
        "ModelArtifacts": {"S3ModelArtifacts": "s3://out/xgb-1/output/model.tar.gz"},
        "AlgorithmSpecification": {
            "TrainingImage": "x/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "SecondaryStatusTransitions": [
            {"Status": secondary, "StartTime": T0, "StatusMessage": f"{secondary} now"}
        ],
    }
    base.update(extra)
    return base


@pytest.fixture
def slack() -> Any:
    stand_in = SlackStandIn("xoxb-follow-test").start()
    yield stand_in
    stand_in.stop()


def _follower(deps: Any, state: Any, slack: Any) -> Follower:
    out = SlackOutbox(WebClient(token="xoxb-follow-test", base_url=slack.url))
    return Follower(deps, state, out, min_seconds=1.0, max_seconds=5.0)


def test_status_changes_are_posted_once_with_backoff_and_final_metrics(
    deps: Any, state: Any, slack: Any
) -> None:
    now = [T0.timestamp()]
    deps = dataclasses.replace(deps, clock=lambda: now[0])
    follower = _follower(deps, state, slack)
    deps.state.follow(
        "training",
        "xgb-1",
        channel="C0MLOPS",
        thread_ts="1.0",
        request_id="r-1",
        interval=1.0,
        now=now[0],
    )
    answers = [
        _job("InProgress", "Starting"),
        _job("InProgress", "Starting"),
        _job("InProgress", "Starting"),
        _job("InProgress", "Training"),
        _job(
            "Completed",
            "Completed",
            TrainingEndTime=T0 + timedelta(minutes=20),
            BillableTimeInSeconds=1150,
            FinalMetricDataList=[
                {"MetricName": "validation:auc", "Value": 0.9137, "Timestamp": T0}
            ],
        ),
    ]
    intervals = []
    with Stubber(deps.aws.sagemaker) as stub:
        for answer in answers:
            stub.add_response("describe_training_job", answer, {"TrainingJobName": "xgb-1"})
        while state.active_follows():
            follow = state.active_follows()[0]
            now[0] = follow.next_check_at
            assert follower.poll_once() == 1
            intervals.append(
                state.due_follows(10**12)[0].interval if state.active_follows() else None
            )
        stub.assert_no_pending_responses()
    texts = [r.text for r in slack.posts()]
    assert len(texts) == 3  # Starting, Training, Completed: unchanged checks post nothing
    assert "Starting" in texts[0] and "Training" in texts[1]
    final = slack.posts()[-1]
    assert "completed" in final.text
    assert "validation:auc" in str(final.blocks) and "19 min 10 s" in str(
        final.blocks
    )  # billable time
    assert final.thread_ts == "1.0"
    # backoff while nothing changes, back to the minimum after a change
    assert intervals[:4] == [1.0, 1.6, pytest.approx(2.56), 1.0]


def test_following_survives_a_restart(deps: Any, state: Any, slack: Any, tmp_path: Any) -> None:
    path = tmp_path / "state.db"
    first = SqliteState(path)
    first.follow(
        "training", "xgb-1", channel="C0MLOPS", thread_ts="1.0", request_id="r-1", interval=1, now=0
    )
    first.close()
    # A new process: new store on the same file, new follower
    again = SqliteState(path)
    restarted = dataclasses.replace(deps, state=again, clock=lambda: 10.0)
    follower = _follower(restarted, again, slack)
    with Stubber(restarted.aws.sagemaker) as stub:
        stub.add_response(
            "describe_training_job",
            _job("Failed", "Failed", FailureReason="AlgorithmError: bad data", TrainingEndTime=T0),
            {"TrainingJobName": "xgb-1"},
        )
        assert follower.poll_once() == 1
    assert "failed: AlgorithmError: bad data" in slack.posts()[-1].text
    assert again.active_follows() == []


def test_a_job_that_disappears_is_reported_and_no_longer_followed(
    deps: Any, state: Any, slack: Any
) -> None:
    deps.state.follow(
        "training", "ghost-1", channel="C0MLOPS", thread_ts="1.0", request_id="r", interval=1, now=0
    )
    follower = _follower(deps, state, slack)
    assert follower.poll_once() == 1  # moto: no such job
    assert "no training job named ghost-1" in slack.posts()[-1].text
    assert state.active_follows() == []


def test_aws_trouble_backs_off_without_posting(deps: Any, state: Any, slack: Any) -> None:
    deps.state.follow(
        "training", "xgb-1", channel="C0MLOPS", thread_ts="1.0", request_id="r", interval=2, now=0
    )
    follower = _follower(deps, state, slack)
    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_client_error("describe_training_job", "ThrottlingException", "slow down", 400)
        follower.poll_once()
    follow = state.active_follows()[0]
    assert follow.interval == pytest.approx(3.2) and slack.posts() == []


def test_a_follow_read_before_another_replica_checked_it_is_not_posted_twice(
    deps: Any, state: Any, slack: Any
) -> None:
    # Given two replicas (two followers, one state) and a job in its first status
    first, second = _follower(deps, state, slack), _follower(deps, state, slack)
    deps.state.follow(
        "training", "xgb-1", channel="C0MLOPS", thread_ts="1.0", request_id="r-1", interval=1.0
    )
    with Stubber(deps.aws.sagemaker) as stub:
        for _ in range(2):
            stub.add_response("describe_training_job", _job("InProgress", "Training"))
        # When the first reads the follow (an event came), the second checks and posts it,
        # and only then does the first take the lease
        stale = state.followed("training", "xgb-1")
        assert second.check(stale)
        assert first.check(stale)
    # Then the status is posted once: the first read the follow again under its lease
    assert [r.text.count("Training") > 0 for r in slack.posts()] == [True]
