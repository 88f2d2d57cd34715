"""Negation has a scope: the clause that rules an action out is dropped, and what is asked
in its place ("just ...", "instead", "only ...") is read on its own; if that is a change
itself, it is a request for that change like any other (the card asks, as ever)."""

from __future__ import annotations

import pytest

from lex.local import LocalLexRuntime
from lex.nlu import Nlu
from lex.speech import speech_act


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


@pytest.mark.parametrize(
    ("text", "form", "instead"),
    [
        ("don't retrain, just deploy churn-model-v4", "negated", "just deploy churn-model-v4"),
        ("do not delete it; stop old-job-3 instead", "negated", "stop old-job-3 instead"),
        (
            "no need to train anything, only invoke ep-1 with 1,2",
            "negated",
            "only invoke ep-1 with 1,2",
        ),
        # the rest is a question or a negation of its own: nothing is asked instead
        ("don't delete ep-1 yet, is it still serving?", "negated", ""),
        ("don't delete ep-1, just don't", "negated", ""),
        # "just" right after the negator belongs to the negated clause
        ("don't just delete ep-1, look at it first", "negated", ""),
        ("should we delete ep-1? just check it", "should", ""),
        ("deploy churn-model-v4", None, ""),
    ],
)
def test_what_is_asked_instead(text: str, form: str | None, instead: str) -> None:
    act = speech_act(text)
    assert (act.form, act.asks_instead) == (form, instead)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "don't retrain anything, just deploy churn-model-v4",
            "DeployModel",
            {"modelName": "churn-model-v4"},
        ),
        (
            "don't use autopilot for this, just train a linear learner on s3://acme/ltv/train.csv",
            "StartTraining",
            {"algorithm": "linear-learner", "dataset": "s3://acme/ltv/train.csv"},
        ),
        (
            "don't delete ranker-blue-ep, delete ranker-green-ep instead",
            "DeleteEndpoint",
            {"endpointName": "ranker-green-ep"},
        ),
        (
            "no need to redeploy, just invoke ranker-blue-ep with 3,1,0.5",
            "InvokeEndpoint",
            {"endpointName": "ranker-blue-ep", "payload": "3,1,0.5"},
        ),
        # What is asked instead may be a read, about the first clause's resource.
        (
            "don't delete ranker-blue-ep, just check if it's healthy",
            "EndpointHealth",
            {"endpointName": "ranker-blue-ep"},
        ),
        # The negated change on its own, or with a question after it: never a change.
        (
            "don't just delete ranker-blue-ep, look at its traffic first",
            "EndpointHealth",
            {"endpointName": "ranker-blue-ep"},
        ),
        ("don't delete ranker-blue-ep, just don't", "FallbackIntent", {}),
    ],
)
def test_negation_scope(nlu: Nlu, text: str, intent: str, slots: dict[str, str]) -> None:
    result = nlu.parse(text)
    assert (result.intent, {k: v.interpreted for k, v in result.slots.items()}) == (intent, slots)


@pytest.mark.parametrize(
    "text",
    [
        "don't just delete ranker-blue-ep",
        "don't delete ranker-blue-ep yet, should we stop train-job-7 first?",
        "never deploy churn-model-v4, just so you know",
    ],
)
def test_no_change_without_a_request_of_its_own(nlu: Nlu, text: str) -> None:
    assert not nlu.definition.intents[nlu.parse(text).intent].mutating


@pytest.mark.parametrize(
    ("text", "form"),
    [
        # making or changing a setting is a change like any other
        ("should we set up a budget alert for the new team?", "should"),
        ("do we need to enable data capture on ep-1?", "should"),
        ("don't add instances to ep-1, just check it", "negated"),
        ("set up a weekly cost report every monday at 9", None),
    ],
)
def test_setting_something_up_is_a_change(text: str, form: str | None) -> None:
    assert speech_act(text).form == form


def test_asking_whether_to_set_something_up_is_never_an_answer(nlu: Nlu) -> None:
    for text in [
        "should we set up a budget alert for the new team?",
        "should we raise the budget for ml-platform-monthly?",
    ]:
        assert nlu.parse(text).intent == "FallbackIntent", text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # "the ones" in the rest are what the ruled-out clause names
        ("don't set up a new schedule, just list the ones we have", "ListSchedules"),
        ("don't stop the training job, just tell me how it's going", "TrainingStatus"),
    ],
)
def test_the_rest_refers_to_what_was_ruled_out(nlu: Nlu, text: str, intent: str) -> None:
    assert nlu.parse(text).intent == intent
