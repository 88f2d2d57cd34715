"""Shared fixtures and helpers: isolated settings, state, moto-backed dependencies, a running
sandbox, and one set of helpers for full-stack turns (say, command, click)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings

EVENTS = Path(__file__).parent / "events"
FULL_RUN_KEY = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The IAM policy test reads what every other test recorded: it runs last, and only
    judges the recording when the whole suite was collected."""
    last = [
        i for i in items if i.module is not None and i.module.__name__.endswith("test_iam_policy")
    ]
    items[:] = [i for i in items if i not in last] + last
    modules = {str(Path(str(i.fspath)).resolve()) for i in items}
    every = {str(p.resolve()) for p in Path(__file__).parent.rglob("test_*.py")}
    selected = not (config.option.keyword or config.option.markexpr or config.option.deselect)
    config.stash[FULL_RUN_KEY] = selected and modules >= every


ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


@pytest.fixture(autouse=True, scope="session")
def _record_aws_calls() -> Iterator[None]:
    """Which AWS operations the bot's code calls (see tests/aws_calls.py, tests/test_iam_policy.py)."""
    from tests.aws_calls import recording

    with recording():
        yield


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
def state(settings: Settings) -> Iterator[Any]:
    """The default state backend: a real SQLite file in the test's own folder."""
    from bot.state import open_state

    backend = open_state(settings.state_db)
    yield backend
    backend.close()


@pytest.fixture
def deps(settings: Settings, state: Any) -> Iterator[Any]:
    """Dependencies on moto in decorator (in-memory) mode."""
    from moto import mock_aws

    from bot.app import build_deps

    with mock_aws():
        yield build_deps(settings, state)


def request(intent: str, message: str = "", /, **slots: str) -> Any:
    """A Request as the gate builds it; *message* is what the user wrote."""
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


def approved(proposal: Any, intent: str, *, approver: str = "U0BOB") -> Any:
    """What the executor gets once someone approved *proposal* (asked for by U0ALICE)."""
    from intents.base import Approved

    return Approved(
        plan_id="plan-1",
        intent=intent,
        params=proposal.params,
        requester="U0ALICE",
        approver=approver,
        channel="C0MLOPS",
        thread_ts="1700000000.000100",
        request_id="r-test0001",
        origin_key="msg:T0TEST:C0MLOPS:1",
    )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """The whole bot against an in-process moto server and the Slack stand-in; jobs move instantly."""
    from bot.sandbox import Sandbox

    box = Sandbox(scale=0, working_delay=5.0, traffic=False, start_follower=False)
    box.start()
    yield box
    box.stop()


def with_handlers(registry: Any, **handlers: Callable[..., Any]) -> Any:
    """The same registry with some intents' handlers replaced (a dependency passed in,
    never a patched object)."""
    import dataclasses

    from intents.registry import Registry

    specs = dict(registry.specs)
    for name, handler in handlers.items():
        specs[name] = dataclasses.replace(specs[name], handler=handler)
    return Registry(specs, registry.executors, registry.followers)


def blocks_text(record: Any) -> str:
    """Everything a person would read in a recorded post, as one string."""
    return record.text + "\n" + json.dumps(record.blocks, ensure_ascii=False)


def event_payload(name: str) -> dict[str, Any]:
    """A recorded Slack payload from tests/events/."""
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return data


# --------------------------------------------------------------------------- full-stack turns


def turn(box: Any, action: Callable[[], object]) -> list[Any]:
    """Run one Slack action through the sandbox's Bolt app; what the bot posted, updated or
    showed ephemerally as a result, once all the work it started has finished."""
    start = len(box.slack.records)
    action()
    assert box.driver.settle(30)
    return [r for r in box.slack.records[start:] if r.kind in ("post", "update", "ephemeral")]


def dispatch_signed(box: Any, body: str, content_type: str) -> Any:
    """POST *body* to the sandbox's Bolt app as Slack does: signed with the app's signing
    secret (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``). Returns Bolt's response (the ack)."""
    from bot.slack.bolt import handle

    timestamp = str(int(time.time()))
    secret = box.driver.verifier.signing_secret.encode()
    digest = hmac.new(secret, f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "content-type": [content_type],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [f"v0={digest}"],
    }
    return handle(box.chatops.app, body, headers)


def say(box: Any, text: str, user: str = "U0ALICE", **where: Any) -> list[Any]:
    """A message (in the bot channel unless *where* says otherwise)."""
    return turn(box, lambda: box.driver.message(user, text, **where))


def command(box: Any, text: str, user: str = "U0ALICE", **where: Any) -> list[Any]:
    """``/ml <text>``."""
    return turn(box, lambda: box.driver.command(user, text, **where))


def click(box: Any, label: str, user: str = "U0ALICE") -> list[Any]:
    """Click the button with *label* on the latest bot message offering it."""
    return turn(box, lambda: box.driver.click(user, label))
