"""StartTraining: what the card proposes, every guardrail, and what approval creates (moto)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from intents.base import Approved
from intents.errors import InvalidInput, NotFound, Refused
from intents.reply import Proposal
from intents.training import run_start_training, start_training
from tests.conftest import request

DATASET = "s3://acme-ml-data/churn/train.csv"


@pytest.fixture
def account(deps: Any) -> Any:
    s3 = deps.aws.s3
    for bucket in ("acme-ml-data", "acme-ml-artifacts", "other-bucket"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(
        Bucket="acme-ml-data",
        Key="churn/train.csv",
        Body=b"churned,tenure,charges,contract\n0,1,2,3\n",
    )
    s3.put_object(Bucket="other-bucket", Key="x.csv", Body=b"1,2\n")
    return deps


def _plan(deps: Any, text: str = f"train xgboost on {DATASET}", **slots: str) -> Proposal:
    values = {"algorithm": "xgboost", "dataset": DATASET, **slots}
    result = start_training(request("StartTraining", text, **values), deps)
    assert isinstance(result, Proposal)
    return result


def _details(proposal: Proposal) -> dict[str, str]:
    return {k: str(v) for k, v in proposal.details}


def test_card_shows_what_where_how_long_and_worst_case_cost(account: Any) -> None:
    proposal = _plan(account)
    details = _details(proposal)
    assert details["Instances"] == "ml.m5.xlarge × 1"
    assert details["Stops after"] == "24 h at most"
    # 1 instance × $0.23/h (snapshot) × 24 h
    assert details["Worst-case cost"].startswith(
        "*$5.52* = 1 × $0.23/h × 24 h (price snapshot of 2026-11-01"
    )
    assert "sagemaker-xgboost:1.7-1" in details["Algorithm"]
    assert (
        proposal.params["image"]
        == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    )
    assert proposal.params["hyperparameters"]["num_round"] == "100"


def test_job_name_is_readable_unique_and_stable_for_a_repeated_delivery(account: Any) -> None:
    req = request("StartTraining", "x", algorithm="xgboost", dataset=DATASET)
    req = dataclasses.replace(req, origin_key="msg:T1:C1:1795757756.000100")
    first = start_training(req, account).params["job_name"]  # type: ignore[union-attr]
    again = start_training(req, account).params["job_name"]  # type: ignore[union-attr]
    other = start_training(
        dataclasses.replace(req, origin_key="msg:T1:C1:1795757756.000200"), account
    ).params["job_name"]  # type: ignore[union-attr]
    assert first == again != other
    assert first.startswith("xgboost-20261127-") and len(first.split("-")) == 4


def test_hyperparameters_from_chat_override_defaults(account: Any) -> None:
    proposal = _plan(account, f"train xgboost on {DATASET} num_round=200 max_depth=6")
    assert proposal.params["hyperparameters"]["num_round"] == "200"
    assert proposal.params["hyperparameters"]["max_depth"] == "6"


def test_feature_dim_is_read_from_the_data(account: Any) -> None:
    proposal = _plan(account, f"train kmeans on {DATASET}", algorithm="kmeans")
    assert proposal.params["hyperparameters"]["feature_dim"] == "4"  # unsupervised: every column


@pytest.mark.parametrize(
    "text,slots,error,words",
    [
        ("train", {"dataset": "bucket/train.csv"}, InvalidInput, "is not an S3 URI"),
        ("train", {"dataset": "s3://other-bucket/x.csv"}, Refused, "CHATOPS_ALLOWED_BUCKETS"),
        (
            "train",
            {"instanceType": "ml.m5.huge"},
            InvalidInput,
            "is not a SageMaker training instance type",
        ),
        ("train", {"instanceType": "ml.p4d.24xlarge"}, Refused, "CHATOPS_ALLOWED_INSTANCE_TYPES"),
        ("train", {"algorithm": "xgbooost"}, InvalidInput, "Did you mean xgboost"),
        ("train with hyperparameters num_round 200", {}, InvalidInput, "name=value"),
        ("train num_rounds=200", {}, InvalidInput, "Did you mean num_round"),
        ("train on 5 instances", {}, Refused, "CHATOPS_MAX_INSTANCE_COUNT"),
        ("train for up to 48 hours", {}, Refused, "CHATOPS_MAX_RUNTIME_HOURS"),
        ("train", {"dataset": "s3://acme-ml-data/nothing/here.csv"}, NotFound, "nothing at"),
    ],
)
def test_bad_requests_say_what_was_wrong(
    account: Any, text: str, slots: dict[str, str], error: type, words: str
) -> None:
    with pytest.raises(error) as err:
        _plan(account, text, **slots)
    assert words.lower() in (err.value.message + " " + err.value.hint).lower()
    if isinstance(err.value, Refused):
        assert "allowed" in (err.value.message + err.value.hint).lower()


def test_required_kms_key(account: Any, tmp_path: Any) -> None:
    from tests.conftest import make_settings

    strict = dataclasses.replace(account, settings=make_settings(tmp_path, require_kms=True))
    with pytest.raises(Refused, match="CHATOPS_REQUIRE_KMS"):
        _plan(strict)


def _approved(proposal: Proposal) -> Approved:
    return Approved(
        plan_id="plan-1",
        intent="StartTraining",
        params=proposal.params,
        requester="U0ALICE",
        approver="U0BOB",
        channel="C0MLOPS",
        thread_ts="1700000000.000100",
        request_id="r-test0001",
        origin_key="msg:T0TEST:C0MLOPS:1",
    )


def test_approval_creates_one_tagged_job_and_follows_it(account: Any) -> None:
    proposal = _plan(account, f"train xgboost on {DATASET} num_round=50")
    reply = run_start_training(_approved(proposal), account)
    name = proposal.params["job_name"]
    job = account.aws.sagemaker.describe_training_job(TrainingJobName=name)
    assert job["HyperParameters"]["num_round"] == "50"
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert job["StoppingCondition"]["MaxRuntimeInSeconds"] == 86400
    assert job["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == DATASET
    tags = {
        t["Key"]: t["Value"]
        for t in account.aws.sagemaker.list_tags(ResourceArn=job["TrainingJobArn"])["Tags"]
    }
    assert tags == {
        "chatops:managed": "true",
        "chatops:requested-by": "U0ALICE",
        "chatops:approved-by": "U0BOB",
        "chatops:channel": "C0MLOPS",
        "chatops:request-id": "r-test0001",
        "chatops:plan": "plan-1",
    }
    assert [f.name for f in account.state.active_follows()] == [name]
    assert "Started training job" in reply.summary


def _taken(account: Any, proposal: Any, plan_tag: str) -> Any:
    """SageMaker's answers when the job name is already taken, by a job tagged *plan_tag*."""
    from botocore.stub import Stubber

    sm = account.aws.sagemaker
    job = sm.describe_training_job(TrainingJobName=proposal.params["job_name"])
    stub = Stubber(sm)
    stub.add_client_error(
        "create_training_job", "ResourceInUse", "Training job names must be unique", 400
    )
    keys = (
        "TrainingJobName",
        "TrainingJobArn",
        "TrainingJobStatus",
        "SecondaryStatus",
        "AlgorithmSpecification",
        "ResourceConfig",
        "StoppingCondition",
        "CreationTime",
        "ModelArtifacts",
    )
    stub.add_response("describe_training_job", {k: job[k] for k in keys})
    stub.add_response("list_tags", {"Tags": [{"Key": "chatops:plan", "Value": plan_tag}]})
    return stub


def test_a_rerun_of_the_same_approval_finishes_the_first_runs_work(account: Any) -> None:
    # Given the job was created, then the process died before the follow was stored
    proposal = _plan(account)
    run_start_training(_approved(proposal), account)
    account.state.update_follow(
        "training", proposal.params["job_name"], status="", interval=1, next_check_at=0, done=True
    )  # as if the follow had not been stored
    # When the approval is run again after the restart
    with _taken(account, proposal, "plan-1"):
        reply = run_start_training(_approved(proposal), account)
    # Then no second job is made, and the job is followed
    jobs = account.aws.sagemaker.list_training_jobs()["TrainingJobSummaries"]
    assert [j["TrainingJobName"] for j in jobs] == [proposal.params["job_name"]]
    assert "Started training job" in reply.summary


def test_someone_elses_job_by_the_same_name_is_left_alone(account: Any) -> None:
    proposal = _plan(account)
    run_start_training(_approved(proposal), account)
    with _taken(account, proposal, "another-plan"):
        reply = run_start_training(_approved(proposal), account)
    assert "already exists" in reply.summary and "didn't start another" in reply.summary


@pytest.mark.parametrize(
    "message, words",
    [
        ("train xgboost on s3://acme-ml-data@evil-bucket/x.csv", "user or port part"),
        ("train xgboost on s3://acme-ml-data/", "whole bucket"),
        ("train xgboost on s3://acme-ml-data/../other/x.csv", "'..'"),
        (
            "train xgboost on s3://acme-ml-data/churn/train.csv with 1e3 instances",
            "'1e3' is not a whole number",
        ),
        (
            "train xgboost on s3://acme-ml-data/churn/train.csv with -5 instances",
            "'-5' is not a whole number",
        ),
        ("train xgboost on s3://acme-ml-data/churn/train.csv for 0 h", "not more than zero"),
        (
            "train xgboost on s3://acme-ml-data/churn/train.csv for 2 days",
            "48 h is longer than allowed",
        ),
        (
            "train xgboost on s3://acme-ml-data/churn/train.csv for 3 weeks",
            "504 h is longer than allowed",
        ),
        (
            "train xgboost on s3://acme-ml-data/churn/train.csv with 3 instances",
            "3 instances is more than allowed",
        ),
    ],
)
def test_unreadable_or_out_of_range_input_is_refused_never_clamped(
    account: Any, message: str, words: str
) -> None:
    from intents.errors import UserError
    from lex.local import LocalLexRuntime

    # What the language layer reads from the message is what the guardrails judge
    result = LocalLexRuntime().nlu.parse(message)
    slots = {k: v.interpreted for k, v in result.slots.items()}
    assert result.intent == "StartTraining"
    with pytest.raises(UserError, match=re.escape(words)):
        start_training(request("StartTraining", message, **slots), account)
