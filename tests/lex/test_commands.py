from __future__ import annotations

import pytest

from lex.commands import CommandParser
from lex.local import LocalLexRuntime


@pytest.fixture(scope="module")
def parser() -> CommandParser:
    runtime = LocalLexRuntime()
    return CommandParser(runtime.definition, runtime.nlu)


@pytest.mark.parametrize(
    "text,intent,slots",
    [
        (
            "train xgboost s3://acme/train.csv ml.m5.2xlarge",
            "StartTraining",
            {
                "algorithm": "xgboost",
                "dataset": "s3://acme/train.csv",
                "instanceType": "ml.m5.2xlarge",
            },
        ),
        ("delete recsys", "DeleteEndpoint", {"endpointName": "recsys"}),
        ("endpoints", "EndpointHealth", {}),
        ("jobs labeling", "ListJobs", {"jobKind": "labeling"}),
        ("status churn-xgb-001", "TrainingStatus", {"jobName": "churn-xgb-001"}),
        (
            "schedule cost every monday at 9am",
            "ScheduleReport",
            {"report": "cost", "frequency": "weekly", "day": "monday", "time": "09:00"},
        ),
        ("are my endpoints healthy", "EndpointHealth", {}),
        ("", "Help", {}),
    ],
)
def test_subcommands_and_plain_language_end_in_the_same_understanding(
    parser: CommandParser, text: str, intent: str, slots: dict[str, str]
) -> None:
    parsed = parser.parse(text)
    assert parsed.understanding is not None
    assert parsed.understanding.intent == intent and parsed.understanding.slots == slots


def test_missing_arguments_get_usage(parser: CommandParser) -> None:
    parsed = parser.parse("train xgboost")
    assert parsed.understanding is None and "Usage: `/ml train <algorithm>" in (
        parsed.problem or ""
    )


def test_unknown_subcommand(parser: CommandParser) -> None:
    parsed = parser.parse("frobnicate the thing")
    assert parsed.understanding is None and "frobnicate" in (parsed.problem or "")
