"""Near misses are out of scope: a read whose input or object is something else.

Each read works on something of ours. A text to analyse, translate or speak is quoted (the
catalog says so); an image or a recording is a file, named or attached; a budget, a cost,
an endpoint is ours or named. When the message gives none of that and talks about
something the bot's language has no word for, it is about something else: the bot
answers with its short help rather than a guess."""

from __future__ import annotations

import pytest

from lex.local import LocalLexRuntime
from lex.nlu import Nlu


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


def read(nlu: Nlu, text: str) -> tuple[str, dict[str, str]]:
    result = nlu.parse(text)
    return result.intent, {k: v.interpreted for k, v in result.slots.items()}


@pytest.mark.parametrize(
    "text",
    [
        # a text intent with no quoted text, about something else
        "what's the sentiment in the office after the merger?",
        "can you translate at the customer dinner on friday?",
        # an image intent with no image
        "which labels go on the kanban board?",
        # a budget, a cost or an endpoint for something that is not ours
        "what's the budget for the team dinner?",
        "what's the endpoint for the payroll wiki",
    ],
)
def test_near_misses_fall_back(nlu: Nlu, text: str) -> None:
    assert read(nlu, text)[0] == "FallbackIntent"


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a bare request is still asked for its text
        ("translate this for me", "TranslateText", {}),
        (
            "what's the sentiment of 'the merger went well'",
            "AnalyzeSentiment",
            {"text": "the merger went well"},
        ),
        # an image pointed at or named
        ("what labels are in this", "DetectLabels", {}),
        (
            "labels for s3://acme/img/board.png",
            "DetectLabels",
            {"imageUri": "s3://acme/img/board.png"},
        ),
        # ours, named
        (
            "what's the budget for ml-platform-monthly",
            "BudgetStatus",
            {"budgetName": "ml-platform-monthly"},
        ),
        (
            "what's the cost of sagemaker this month",
            "CostReport",
            {"service": "sagemaker", "period": "this_month"},
        ),
    ],
)
def test_ours_stays_in_scope(nlu: Nlu, text: str, intent: str, slots: dict[str, str]) -> None:
    assert read(nlu, text) == (intent, slots)


def test_names_values_and_function_words_are_never_foreign(nlu: Nlu) -> None:
    analysis = nlu.analyze("how is fraud-detector-prod doing on s3://a/b.csv for the holiday")
    assert nlu.foreign_words(analysis) == ["holiday"]
