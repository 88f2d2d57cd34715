"""Slot readers take the common ways of writing a value, not only the definition's."""

from __future__ import annotations

import pytest

from lex.local import LocalLexRuntime
from lex.text import find_spans


@pytest.fixture(scope="module")
def runtime() -> LocalLexRuntime:
    return LocalLexRuntime()


def times(text: str) -> list[str]:
    return [s.value for s in find_spans(text) if s.kind == "time"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("post it every day at 7pm", ["19:00"]),
        ("daily at noon", ["12:00"]),
        ("every morning at 7", ["07:00"]),
        ("every evening at 6", ["18:00"]),
        ("every night at 11", ["23:00"]),
        ("every monday at 9", ["09:00"]),
        ("weekly at 5", ["17:00"]),  # a bare 1 to 6: afternoon
        ("daily at 19h", ["19:00"]),
        ("daily at 19h30", ["19:30"]),
        ("daily at 0900", ["09:00"]),
        ("daily at 9.30am", ["09:30"]),
        ("at seven pm", ["19:00"]),
        ("at 9 o'clock", ["09:00"]),
        ("every morning at nine thirty", ["09:30"]),
        ("at half past nine", ["09:30"]),
        ("every friday at quarter to five", ["16:45"]),
        ("at 14:00", ["14:00"]),
        ("at midnight", ["00:00"]),
    ],
)
def test_times(text: str, expected: list[str]) -> None:
    assert times(text) == expected


@pytest.mark.parametrize(
    "text",
    ["look at 7 endpoints", "deploy it at 3 instances", "spend at 5% off", "at 30 per hour"],
)
def test_counts_after_at_are_not_times(text: str) -> None:
    assert times(text) == []


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "every morning at 7 post the endpoints report",
            "ScheduleReport",
            {"report": "endpoints", "frequency": "daily", "time": "07:00"},
        ),
        (
            'invoke fraud-detector-prod with ```json\n{"amount": 120}\n```',
            "InvokeEndpoint",
            {"endpointName": "fraud-detector-prod", "payload": '{"amount": 120}'},
        ),
        (
            "invoke fraud-detector-prod with ```5.1,3.5,1.4,0.2```",
            "InvokeEndpoint",
            {"endpointName": "fraud-detector-prod", "payload": "5.1,3.5,1.4,0.2"},
        ),
        ("what did we spend this wk", "CostReport", {"period": "this_week"}),
        ("what's our spend for the week so far", "CostReport", {"period": "this_week"}),
        (
            "costs so far this month on sagemaker",
            "CostReport",
            {"period": "this_month", "service": "sagemaker"},
        ),
        ("stop churnxgb001 please", "StopTraining", {"jobName": "churnxgb001"}),
        ("deploy the model churnmodel", "DeployModel", {"modelName": "churnmodel"}),
    ],
)
def test_messages(runtime: LocalLexRuntime, text: str, intent: str, slots: dict[str, str]) -> None:
    result = runtime.nlu.parse(text)
    assert (result.intent, {k: v.interpreted for k, v in result.slots.items()}) == (intent, slots)


def test_look_at_seven_endpoints_schedules_nothing(runtime: LocalLexRuntime) -> None:
    assert runtime.nlu.parse("look at 7 endpoints").intent == "EndpointHealth"
