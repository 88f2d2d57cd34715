"""Questions about how to do something are Help on that area, wherever they stand.

- The Help topic is the area of the intent whose key words the question has and that
  reads best ("how do I ship a model through you?" -> endpoints), not only a topic
  word said as such.
- A how-question may follow a dash, a semicolon or ", and" ("..., and how do I pass
  it?"), or be the single word "how?" after a question.
- A wish ruled out ("I don't want to launch anything yet") is a negation like "don't
  launch"; when what follows is a how-question, the answer is Help, never the action.
"""

from __future__ import annotations

import pytest

from lex.local import LocalLexRuntime
from lex.nlu import Nlu, act_of
from lex.text import normalize


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("how do I ship a model through you?", "endpoints"),
        ("how would I see what we spent on EC2 using the bot?", "cost"),
        ("how can I get a podcast episode transcribed here?", "ai"),
        ("how do I kick off a training run from slack?", "training"),
    ],
)
def test_the_topic_is_the_area_asked_about(nlu: Nlu, text: str, topic: str) -> None:
    result = nlu.parse(text)
    assert result.intent == "Help"
    assert result.slots["topic"].interpreted == topic


def test_no_topic_without_an_area(nlu: Nlu) -> None:
    result = nlu.parse("what can you do for me?")
    assert result.intent == "Help"
    assert "topic" not in result.slots


@pytest.mark.parametrize(
    "text",
    [
        "which voices are there; how do I choose one?",
        "I'd like budget alerts - how would I set one up?",
        "what regions do you cover, and how do I switch?",
        "can the bot post reports on its own? how?",
    ],
)
def test_how_questions_after_another_clause(text: str) -> None:
    assert act_of(normalize(text)).form == "howto"


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to launch anything yet - how would I train xgboost on my data?",
        "we do not plan to delete anything; how do I remove an endpoint later?",
    ],
)
def test_a_wish_ruled_out_then_how_is_help(nlu: Nlu, text: str) -> None:
    assert act_of(normalize(text)).form == "negated"
    result = nlu.parse(text)
    assert result.intent == "Help"
    assert not nlu.definition.intents[result.intent].mutating


def test_a_ruled_out_wish_is_a_negation(nlu: Nlu) -> None:
    act = act_of(normalize("I don't want to delete the ep-4 endpoint, just check it"))
    assert (act.form, act.negated) == ("negated", "delete")
    assert (
        nlu.parse("I don't want to delete the ep-4 endpoint, just check it").intent
        == "EndpointHealth"
    )
