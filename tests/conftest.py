"""Shared fixtures: isolated settings, moto-backed dependencies, a running sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings

EVENTS = Path(__file__).parent / "events"
ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment() -> Iterator[None]:
    """No test may read a developer's Slack or AWS settings, or reach real AWS."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(("CHATOPS_", "SLACK_", "AWS_")):
            del os.environ[key]
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }
    )
    yield
    os.environ.clear()
    os.environ.update(saved)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": "test-signing-secret",
        "state_db": tmp_path / "state.db",
        "aws_region": "us-east-1",
        "bot_channels": ["C0MLOPS"],
        "sagemaker_role_arn": ROLE_ARN,
        "output_s3_uri": "s3://acme-ml-artifacts/chatops",
        "allowed_buckets": ["acme-ml-data", "acme-ml-artifacts"],
        "price_list_api": False,
        "follow_min_seconds": 1.0,
        "follow_max_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def deps(settings: Settings) -> Iterator[Any]:
    """Dependencies on moto in decorator (in-memory) mode; the clock is fixed per test."""
    from moto import mock_aws

    from bot.app import build_deps

    with mock_aws():
        deps = build_deps(settings)
        yield deps
        deps.store.close()


def request(intent: str, message: str = "", /, **slots: str) -> Any:
    """A Request as the dispatcher builds it; *message* is what the user wrote."""
    from intents.base import Request

    key = abs(hash((intent, message, tuple(slots.items())))) % 10**6
    return Request(
        id="r-test0001",
        intent=intent,
        slots=slots,
        user="U0ALICE",
        channel="C0MLOPS",
        team="T0TEST",
        thread_ts="1700000000.000100",
        text=message,
        origin_key=f"msg:T0TEST:C0MLOPS:1795757756.{key:06d}",
    )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """The whole bot against an in-process moto server and the Slack stand-in; jobs move instantly."""
    from bot.sandbox import Sandbox

    box = Sandbox(scale=0, working_delay=5.0, traffic=False, start_follower=False)
    box.start()
    yield box
    box.stop()


def blocks_text(record: Any) -> str:
    """Everything a person would read in a recorded post, as one string."""
    import json

    return record.text + "\n" + json.dumps(record.blocks, ensure_ascii=False)
