"""The account's names, for language: listed with the typed clients, kept a minute,
and unknown (never an error) when a listing fails."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from intents.names import NameResolver


def test_names_are_listed_by_kind_and_kept_a_while(deps: Any) -> None:
    sm = deps.aws.sagemaker
    sm.create_model(
        ModelName="churn-model-v3",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    deps.aws.budgets.create_budget(
        AccountId=deps.aws.account_id(),
        Budget={
            "BudgetName": "ml-platform-monthly",
            "BudgetLimit": {"Amount": "100", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    now = [0.0]
    names = NameResolver(deps.aws, ttl=60, clock=lambda: now[0])
    assert names.kind("churn-model-v3") == "model"
    assert names("ml-platform-monthly") == "budget"
    assert names.kind("nothing-of-that-name") is None
    # Within the minute the listing is not repeated: a new model is not seen yet.
    sm.create_model(
        ModelName="fraud-model-v1",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    assert names.kind("fraud-model-v1") is None
    now[0] = 61.0
    assert names.kind("fraud-model-v1") == "model"


def test_a_listing_that_fails_leaves_that_kind_unknown(deps: Any) -> None:
    names = NameResolver(deps.aws)

    def refuse() -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListEndpoints")

    names._endpoints = refuse  # type: ignore[method-assign]
    deps.aws.sagemaker.create_model(
        ModelName="churn-model-v3",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    assert names.kind("churn-model-v3") == "model"
