"""The DynamoDB backend's own concerns (its contract is tests/bot/state/test_contract.py):
`chatops state init`, a missing table, and what a concurrent writer looks like."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bot.cli import main


@mock_aws
def test_state_init_creates_the_table_once_with_ttl(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHATOPS_DYNAMODB_TABLE", "chatops-state")
    assert main(["state", "init"]) == 0
    assert "created" in capsys.readouterr().out
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = client.describe_table(TableName="chatops-state")["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3"}
    ttl = client.describe_time_to_live(TableName="chatops-state")["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == "ttl"
    assert main(["state", "init"]) == 0  # again: nothing to do
    assert "already exists" in capsys.readouterr().out


def test_state_init_needs_the_table_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["state", "init"]) == 2
    assert "CHATOPS_DYNAMODB_TABLE is not set" in capsys.readouterr().err


@mock_aws
def test_a_missing_table_is_one_line_naming_the_setting_and_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHATOPS_DYNAMODB_TABLE", "nowhere")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "CHATOPS_DYNAMODB_TABLE" in err[0] and "chatops state init" in err[0]
    assert "Traceback" not in err[0]
