"""The guard holds on every path: a stubbed Amazon Lex that returns a mutating intent for
a negated, questioning or doubtful message gets a clarifying question, never a card."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_deps, build_guard
from bot.gate import Gate
from bot.gate.access import Access
from bot.gate.guard import CLARIFY, Reading
from bot.gate.types import Message
from bot.policy import load_policy
from bot.slack.inbound import from_clarify
from bot.state.sqlite import SqliteState
from intents.base import Approved, Request
from intents.clients import AwsClients
from intents.registry import IntentSpec, Registry
from intents.reply import Actions, Proposal, Reply, md
from lex.local import LocalLexRuntime
from lex.runtime import LexRouter
from tests.bot.gate.fakes import FakeOutbox, FixedCommands
from tests.conftest import make_settings

NAMES = {"fraud-detector-prod": "endpoint", "fraud-lgbm-v7": "job", "ml-platform-monthly": "budget"}


def _registry(handled: list[str]) -> Registry:
    def read(request: Request, deps: Any) -> Reply:
        handled.append(f"{request.intent} {dict(request.slots)}")
        return Reply.text(md("{i} of {s}", i=request.intent, s=dict(request.slots)))

    def change(request: Request, deps: Any) -> Proposal:
        handled.append(f"{request.intent} {dict(request.slots)}")
        return Proposal(title=request.intent, summary=md("change"), params=dict(request.slots))

    def run(approved: Approved, deps: Any) -> Reply:
        return Reply.text(md("done"))

    def spec(name: str, handler: Any, mutating: bool = False) -> IntentSpec:
        return IntentSpec(name, "meta", handler, help=name, example=name, mutating=mutating)

    specs = {
        "EndpointHealth": spec("EndpointHealth", read),
        "TrainingStatus": spec("TrainingStatus", read),
        "Help": spec("Help", read),
        "DeleteEndpoint": spec("DeleteEndpoint", change, True),
        "StopTraining": spec("StopTraining", change, True),
        "FallbackIntent": spec("FallbackIntent", read),
    }
    return Registry(specs, {"DeleteEndpoint": run, "StopTraining": run}, {})


def _lex_says(intent: str, slots: dict[str, str], *, dialog: str = "Close") -> dict[str, Any]:
    shaped = {
        k: {"value": {"originalValue": v, "interpretedValue": v, "resolvedValues": [v]}}
        for k, v in slots.items()
    }
    return {
        "sessionState": {
            "dialogAction": {"type": dialog},
            "intent": {
                "name": intent,
                "slots": shaped,
                "state": "ReadyForFulfillment",
                "confirmationState": "None",
            },
        },
        "interpretations": [{"intent": {"name": intent}, "nluConfidence": {"score": 0.91}}],
        "sessionId": "T1:C1:U0ALICE",
    }


class StubLex:
    """Amazon Lex V2's runtime as a test scripts it: the next answer, whatever is said."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []
        self.deleted: list[str] = []

    def add_response(self, operation: str, response: dict[str, Any]) -> None:
        assert operation == "recognize_text"
        self.answers.append(response)

    def recognize_text(self, **params: Any) -> dict[str, Any]:
        return self.answers.pop(0)

    def delete_session(self, **params: Any) -> dict[str, Any]:
        self.deleted.append(params["sessionId"])
        return {}


@dataclass
class World:
    gate: Gate
    stub: StubLex
    handled: list[str]
    state: SqliteState

    def say(self, text: str, *, thread_ts: str = "1.0") -> Any:
        message = Message(
            team="T1",
            channel="C1",
            user="U0ALICE",
            text=text,
            source="message",
            addressed=True,
            delivery_key=f"msg:{text}",
            thread_ts=thread_ts,
        )
        return self.gate.answer(message, "r-00000001")


@pytest.fixture
def world(tmp_path: Path) -> World:
    settings = make_settings(tmp_path, sagemaker_role_arn=None)
    state = SqliteState(tmp_path / "state.db")
    handled: list[str] = []
    deps = build_deps(settings, state, aws=AwsClients("us-east-1"), registry=_registry(handled))
    stub = StubLex()
    local = LocalLexRuntime(names=NAMES.get)
    router = LexRouter(local, lex=stub, bot_id="BOT1234567", alias_id="ALIAS12345")
    # The tests' channel is a bot channel, where changes may be asked
    access = Access(load_policy(None, bot_channels=["C0MLOPS", "C1"]), deps.registry)
    gate = Gate(
        deps,
        state,
        router,
        FixedCommands(),
        FakeOutbox(),
        guard=build_guard(router, state),
        access=access,
    )

    return World(gate, stub, handled, state)


def _buttons(reply: Reply) -> list[tuple[str, Reading | None]]:
    actions = [b for b in reply.blocks if isinstance(b, Actions)]
    assert actions, reply
    return [
        (b.label, Reading.decode(b.value)) for b in actions[0].buttons if b.action_id == CLARIFY
    ]


def test_lex_reading_a_negated_delete_as_delete_gets_a_question(world: World) -> None:
    # Given Lex returns DeleteEndpoint for a message that rules the deletion out
    text = "don't delete fraud-detector-prod, just check it"
    world.stub.add_response(
        "recognize_text", _lex_says("DeleteEndpoint", {"endpointName": "fraud-detector-prod"})
    )
    answer = world.say(text)
    # Then no card: a question with the two readings
    assert answer.plan_id is None and world.handled == []
    assert _buttons(answer.reply) == [
        (
            "Check fraud-detector-prod",
            Reading("EndpointHealth", {"endpointName": "fraud-detector-prod"}),
        ),
        (
            "Delete fraud-detector-prod",
            Reading("DeleteEndpoint", {"endpointName": "fraud-detector-prod"}),
        ),
    ]


@pytest.mark.parametrize(
    "text",
    ["should we delete fraud-detector-prod?", "how do I delete fraud-detector-prod"],
)
def test_questions_read_as_changes_by_lex_get_a_question(world: World, text: str) -> None:
    world.stub.add_response(
        "recognize_text", _lex_says("DeleteEndpoint", {"endpointName": "fraud-detector-prod"})
    )
    answer = world.say(text)
    assert answer.plan_id is None and world.handled == []
    labels = [label for label, _ in _buttons(answer.reply)]
    assert "Delete fraud-detector-prod" in labels and "Check fraud-detector-prod" in labels


def test_lex_and_the_local_runtime_disagreeing_on_a_change_get_a_question(world: World) -> None:
    # Given Lex hears a deletion in what the local runtime reads as a health check
    world.stub.add_response(
        "recognize_text", _lex_says("DeleteEndpoint", {"endpointName": "fraud-detector-prod"})
    )
    answer = world.say("check on fraud-detector-prod for me")
    assert answer.plan_id is None and world.handled == []


def test_an_agreed_change_still_becomes_a_card(world: World) -> None:
    world.stub.add_response(
        "recognize_text", _lex_says("DeleteEndpoint", {"endpointName": "fraud-detector-prod"})
    )
    answer = world.say("delete endpoint fraud-detector-prod")
    assert answer.plan_id is not None
    assert world.handled == ["DeleteEndpoint {'endpointName': 'fraud-detector-prod'}"]


def test_a_name_of_another_kind_reroutes_a_read(world: World) -> None:
    # Given Lex takes an endpoint's name for a training job's
    world.stub.add_response(
        "recognize_text", _lex_says("TrainingStatus", {"jobName": "fraud-detector-prod"})
    )
    world.say("how is fraud-detector-prod doing?")
    # Then the account's names decide: it is the endpoint's health
    assert world.handled == ["EndpointHealth {'endpointName': 'fraud-detector-prod'}"]


def test_a_change_on_a_name_of_another_kind_gets_a_question(world: World) -> None:
    world.stub.add_response(
        "recognize_text", _lex_says("StopTraining", {"jobName": "fraud-detector-prod"})
    )
    answer = world.say("stop fraud-detector-prod")
    assert answer.plan_id is None and world.handled == []


def test_the_thread_subject_fills_a_missing_name(world: World) -> None:
    # Given a thread that follows one training job
    world.state.follow(
        "training", "fraud-lgbm-v7", channel="C1", thread_ts="9.0", request_id="r", interval=15
    )
    world.stub.add_response("recognize_text", _lex_says("TrainingStatus", {}))
    world.say("how is it going?", thread_ts="9.0")
    assert world.handled == ["TrainingStatus {'jobName': 'fraud-lgbm-v7'}"]


def test_it_in_a_thread_is_the_thread_subject(world: World) -> None:
    # Given a thread about a training job (answered about there) and an endpoint (followed)
    world.state.note_subject("C1", "9.0", "training", "fraud-lgbm-v7", now=10)
    world.state.follow(
        "endpoint",
        "fraud-detector-prod",
        channel="C1",
        thread_ts="9.0",
        request_id="r",
        interval=15,
        now=5,
    )
    # When Lex does not understand "stop it", the job (newest, and a job can be stopped) is meant
    world.stub.add_response("recognize_text", _lex_says("FallbackIntent", {}))
    answer = world.say("stop it", thread_ts="9.0")
    assert world.handled == ["StopTraining {'jobName': 'fraud-lgbm-v7'}"]
    assert answer.plan_id is not None  # still a card: nothing stops before approval
    # "how is that one doing?" asks about the job too
    world.stub.add_response("recognize_text", _lex_says("FallbackIntent", {}))
    world.say("how is that one doing?", thread_ts="9.0")
    assert world.handled[-1] == "TrainingStatus {'jobName': 'fraud-lgbm-v7'}"
    # A question about it is still a question, never a card
    world.stub.add_response("recognize_text", _lex_says("FallbackIntent", {}))
    doubtful = world.say("should we stop it?", thread_ts="9.0")
    assert doubtful.plan_id is None
    # Elsewhere, "stop it" names nothing
    world.stub.add_response("recognize_text", _lex_says("FallbackIntent", {}))
    world.say("stop it", thread_ts="8.0")
    assert (
        world.handled[-1] != "StopTraining {'jobName': 'fraud-lgbm-v7'}"
        or len([h for h in world.handled if h.startswith("StopTraining")]) == 1
    )


def test_a_clicked_reading_is_a_request_from_the_clicker(world: World) -> None:
    reading = Reading("EndpointHealth", {"endpointName": "fraud-detector-prod"})
    body = {
        "type": "block_actions",
        "user": {"id": "U0BOB"},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "message": {"ts": "5.0", "thread_ts": "1.0"},
        "actions": [
            {
                "action_id": CLARIFY,
                "value": reading.encode(),
                "text": {"type": "plain_text", "text": "Check fraud-detector-prod"},
                "action_ts": "6.0",
            }
        ],
    }
    inbound = from_clarify(body)
    assert inbound is not None and inbound.reading == reading
    assert inbound.message.user == "U0BOB" and inbound.message.thread_ts == "1.0"
    world.gate.answer(inbound.message, "r-00000002", inbound.reading)
    assert world.handled == ["EndpointHealth {'endpointName': 'fraud-detector-prod'}"]
    # A mutating reading still goes through the card
    change = Reading("DeleteEndpoint", {"endpointName": "fraud-detector-prod"})
    answer = world.gate.answer(inbound.message, "r-00000003", change)
    assert answer.plan_id is not None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "[]",
        '{"i": 3}',
        '{"i": "Delete Endpoint"}',
        '{"i": "X", "s": {"a": 1}}',
        "x" * 3000,
    ],
)
def test_malformed_button_values_are_refused(value: str) -> None:
    assert Reading.decode(value) is None


def test_a_reading_too_big_for_a_button_is_not_offered() -> None:
    assert Reading("TranslateText", {"text": "x" * 2500}).encode() is None


def test_a_change_asked_for_instead_of_a_negated_one_becomes_a_card(world: World) -> None:
    # Given a message that rules one change out and asks for another in its place,
    # and Lex reads the change asked for
    text = "don't delete fraud-detector-prod, delete old-canary-ep-3 instead"
    world.stub.add_response(
        "recognize_text", _lex_says("DeleteEndpoint", {"endpointName": "old-canary-ep-3"})
    )
    answer = world.say(text)
    # Then it is a request like any other: a card for that change
    assert answer.plan_id is not None
    assert world.handled == ["DeleteEndpoint {'endpointName': 'old-canary-ep-3'}"]


@pytest.mark.parametrize(
    ("intent", "slots"),
    [
        # the ruled-out change, on the resource it was ruled out for
        ("DeleteEndpoint", {"endpointName": "fraud-detector-prod"}),
        # the right change on the wrong resource
        ("StopTraining", {"jobName": "fraud-lgbm-v7"}),
    ],
)
def test_a_reading_that_is_not_what_is_asked_instead_gets_a_question(
    world: World, intent: str, slots: dict[str, str]
) -> None:
    text = "don't stop fraud-lgbm-v7, just stop nightly-etl-train-42"
    world.stub.add_response("recognize_text", _lex_says(intent, slots))
    answer = world.say(text)
    assert answer.plan_id is None and world.handled == []


def test_the_local_runtime_reads_the_change_asked_instead_and_the_guard_agrees(
    tmp_path: Path,
) -> None:
    # Given no Lex at all: the local runtime understands, the same guard reviews
    settings = make_settings(tmp_path, sagemaker_role_arn=None)
    state = SqliteState(tmp_path / "local.db")
    handled: list[str] = []
    deps = build_deps(settings, state, aws=AwsClients("us-east-1"), registry=_registry(handled))
    router = LexRouter(LocalLexRuntime(names=NAMES.get), lex=None)
    access = Access(load_policy(None, bot_channels=["C1"]), deps.registry)
    gate = Gate(
        deps,
        state,
        router,
        FixedCommands(),
        FakeOutbox(),
        guard=build_guard(router, state),
        access=access,
    )
    message = Message(
        team="T1",
        channel="C1",
        user="U0ALICE",
        text="don't stop fraud-lgbm-v7, just stop nightly-etl-train-42",
        source="message",
        addressed=True,
        delivery_key="msg:instead",
        thread_ts="1.0",
    )
    answer = gate.answer(message, "r-00000009")
    assert answer.plan_id is not None
    assert handled == ["StopTraining {'jobName': 'nightly-etl-train-42'}"]
