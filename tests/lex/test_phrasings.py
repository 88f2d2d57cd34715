"""Families of phrasing, not lines: a phrasal verb around its object, a how-to question
that is not the first sentence, "how does X work", "should we" about something that is
not a change, "who did X", and the budget's and the idle check's own words."""

from __future__ import annotations

import pytest

from lex.local import LocalLexRuntime
from lex.nlu import Nlu
from lex.speech import speech_act


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("put ranker-model-v9 into production", ["deploy", "__name__"]),
        ("take it down", ["delete", "it"]),
        ("spin the new endpoint up", ["start", "the", "new", "endpoint"]),
        # a verb of placing is posting only when the place is in Slack
        ("put it in this channel", ["post", "it", "in", "this", "channel"]),
        ("drop the report into #data-eng", ["post", "the", "report", "into", "__channel__"]),
    ],
)
def test_a_phrasal_verb_around_its_object(nlu: Nlu, text: str, concepts: list[str]) -> None:
    assert nlu.analyze(text).concepts == concepts


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Hi! New to this team. Could you explain how I can transcribe a call?", "howto"),
        ("how does the idle check work?", "howto"),
        ("how do scheduled reports work", "howto"),
        ("should we be worried about ranker-blue-ep?", "question"),
        ("should we delete ranker-blue-ep?", "should"),
        ("do we need to retrain?", "should"),
    ],
)
def test_forms_of_questions(text: str, form: str) -> None:
    assert speech_act(text).form == form


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "could you put ranker-model-v9 into production please",
            "DeployModel",
            {"modelName": "ranker-model-v9"},
        ),
        (
            "Hi! New to this team. Could you explain how I can transcribe a call with you?",
            "Help",
            {"topic": "ai"},
        ),
        ("how does the idle check work?", "Help", {"topic": "cost"}),
        ("someone deleted my endpoint last night, who was it?", "AuditLog", {}),
        ("have we burned through team-gpu-q1 yet", "BudgetStatus", {"budgetName": "team-gpu-q1"}),
        ("any endpoints with zero requests today?", "IdleResources", {}),
    ],
)
def test_phrasings(nlu: Nlu, text: str, intent: str, slots: dict[str, str]) -> None:
    result = nlu.parse(text)
    assert (result.intent, {k: v.interpreted for k, v in result.slots.items()}) == (intent, slots)


def test_a_should_question_about_no_change_is_never_a_change(nlu: Nlu) -> None:
    result = nlu.parse("should we be worried about ranker-blue-ep? just asking")
    assert not nlu.definition.intents[result.intent].mutating


@pytest.mark.parametrize("text", ["who is on call this week", "who ate my lunch"])
def test_who_without_a_change_is_not_the_audit_log(nlu: Nlu, text: str) -> None:
    assert nlu.parse(text).intent == "FallbackIntent"


@pytest.mark.parametrize(
    "text",
    [
        "what would happen if we tore down ranker-blue-ep?",
        "what happens if I cancel the weekly cost report",
        "what if someone stopped bert-ft-20261101-0900 right now?",
        "hmm, what will happen when we delete the old canary endpoint?",
        "would deleting ranker-blue-ep break the checkout flow?",
        "could stopping the tuning job lose its best model?",
    ],
)
def test_asking_what_a_change_would_do_orders_nothing(nlu: Nlu, text: str) -> None:
    assert speech_act(text).orders_nothing
    assert not nlu.definition.intents[nlu.parse(text).intent].mutating
