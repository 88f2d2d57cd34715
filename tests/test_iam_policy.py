"""The IAM policies the README asks for grant exactly what the code calls.

Every AWS operation the bot's code makes while the whole suite runs is recorded
(tests/aws_calls.py). Here, after every other test (conftest moves this module to the
end), each recorded operation must be granted by deploy/iam-policy.json (or, for
``chatops lex deploy``, deploy/iam-policy-lex-deploy.json), and every granted action
must be called, implied by a call, or listed below with the reason it cannot be
exercised offline. Mutating SageMaker grants carry the chatops:managed tag conditions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws_calls import RECORDED
from tests.conftest import FULL_RUN_KEY

ROOT = Path(__file__).resolve().parents[1]
POLICIES = {
    "bot": ROOT / "deploy" / "iam-policy.json",
    "lex-deploy": ROOT / "deploy" / "iam-policy-lex-deploy.json",
    "state-setup": ROOT / "deploy" / "iam-policy-state-init.json",
}

# boto3 service name -> IAM prefix, where they differ
PREFIX = {"sagemaker-runtime": "sagemaker", "lexv2-runtime": "lex", "lexv2-models": "lex"}
# operations whose IAM action has another name
ACTION = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("budgets", "DescribeBudgets"): "budgets:ViewBudget",
    ("budgets", "DescribeBudget"): "budgets:ViewBudget",
}
FREE = {("sts", "GetCallerIdentity")}  # needs no permission
# operations that are not IAM actions themselves: authorised by the actions they carry out
CARRIES = {
    ("dynamodb", "TransactWriteItems"): {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    },
}
# actions a call needs besides its own (AWS's documentation of each operation)
IMPLIED = {
    "sagemaker:CreateTrainingJob": {"iam:PassRole", "sagemaker:AddTags"},
    "sagemaker:CreateModel": {"iam:PassRole", "sagemaker:AddTags"},
    "sagemaker:CreateAutoMLJobV2": {"iam:PassRole", "sagemaker:AddTags"},
    "sagemaker:CreateEndpoint": {"sagemaker:AddTags"},
    "sagemaker:CreateEndpointConfig": {"sagemaker:AddTags"},
    "rekognition:DetectLabels": {"s3:GetObject"},
    # Transcribe reads the recording and writes the transcript with the caller's rights
    "transcribe:StartTranscriptionJob": {"s3:GetObject", "s3:PutObject"},
    # an import creates or updates what the archive holds, as the caller
    "lex:StartImport": {
        "lex:CreateBot",
        "lex:UpdateBot",
        "lex:CreateBotLocale",
        "lex:UpdateBotLocale",
        "lex:DeleteBotLocale",
        "lex:CreateIntent",
        "lex:UpdateIntent",
        "lex:DeleteIntent",
        "lex:CreateSlot",
        "lex:UpdateSlot",
        "lex:DeleteSlot",
        "lex:CreateSlotType",
        "lex:UpdateSlotType",
        "lex:DeleteSlotType",
        "iam:PassRole",
    },
}
# granted, needed, but not reachable offline
NOT_EXERCISED = {
    "lex:DeleteSession": "forgets a conversation on a real Lex bot alias; moto has no Lex runtime",
}


def action(service: str, operation: str) -> str:
    return ACTION.get((service, operation), f"{PREFIX.get(service, service)}:{operation}")


def granted(path: Path) -> set[str]:
    found: set[str] = set()
    for statement in json.loads(path.read_text())["Statement"]:
        if statement["Effect"] == "Allow":
            actions = statement["Action"]
            found |= {actions} if isinstance(actions, str) else set(actions)
    return found


def needed(who: str) -> set[str]:
    ours = {(s, o) for w, s, o in RECORDED if w == who and (s, o) not in FREE}
    calls = {action(s, o) for s, o in ours if (s, o) not in CARRIES}
    calls |= {a for op in ours for a in CARRIES.get(op, ())}
    return calls | {extra for call in calls for extra in IMPLIED.get(call, ())}


@pytest.fixture(scope="module")
def full_run(request: Any) -> None:
    if not request.config.stash.get(FULL_RUN_KEY, False):
        pytest.skip("the recorded calls are complete only when the whole suite runs")


@pytest.mark.parametrize("who", sorted(POLICIES))
def test_every_call_the_code_makes_is_granted(full_run: None, who: str) -> None:
    missing = needed(who) - granted(POLICIES[who])
    assert missing == set(), f"{POLICIES[who].name} lacks {sorted(missing)}"


@pytest.mark.parametrize("who", sorted(POLICIES))
def test_nothing_is_granted_that_the_code_does_not_call(full_run: None, who: str) -> None:
    unused = granted(POLICIES[who]) - needed(who) - set(NOT_EXERCISED)
    assert unused == set(), f"{POLICIES[who].name} grants {sorted(unused)}, which nothing calls"


def test_changes_to_sagemaker_only_touch_what_the_bot_manages() -> None:
    for statement in json.loads(POLICIES["bot"].read_text())["Statement"]:
        actions = statement["Action"]
        for name in [actions] if isinstance(actions, str) else actions:
            condition = json.dumps(statement.get("Condition", {}))
            if name.startswith(("sagemaker:Create", "sagemaker:AddTags")):
                assert "aws:RequestTag/chatops:managed" in condition, name
            elif name.startswith(("sagemaker:Delete", "sagemaker:Stop", "sagemaker:Update")):
                assert "aws:ResourceTag/chatops:managed" in condition, name
            if name in ("sagemaker:CreateTrainingJob", "sagemaker:CreateEndpointConfig"):
                assert "sagemaker:InstanceTypes" in condition, name
        assert statement.get("Resource") != "*" or not any(
            str(a).startswith(("sagemaker:Create", "sagemaker:Delete", "sagemaker:Stop"))
            for a in ([actions] if isinstance(actions, str) else actions)
        )


def test_the_bot_tags_what_it_creates_as_managed() -> None:
    from intents.base import Approved
    from intents.resources import MANAGED_TAG, tags

    approved = Approved("p", "StartTraining", {}, "U1", "U2", "C1", None, "r", "o")
    assert {"Key": MANAGED_TAG, "Value": "true"} in tags(approved)
