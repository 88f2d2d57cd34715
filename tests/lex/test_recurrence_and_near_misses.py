"""Schedules said as a recurring day, reads ruled out, questions their sender answers,
and another product's things.

- "every Thursday", "on Thursdays": weekly on that day, whatever other frequency the
  message names (and rules out).
- "no need to check X, ...", "don't list them": a read can be ruled out like a change;
  what follows is read on its own, and the words of the ruled-out clause fill it in only
  when it points back at them ("just show the ones ...").
- "should we schedule X? yes, let's do it": the sender answered; a request like any
  other (its card asks, as ever).
- "my Gitlab jobs", "the Heroku bill": a key word qualified by a proper name the bot does
  not know is another product's: fallback. "for me" after a key word is for whom, not
  of what.
"""

from __future__ import annotations

import pytest

from bot.slack.text import to_plain
from lex.local import LocalLexRuntime
from lex.nlu import Nlu, act_of
from lex.text import normalize


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


def read(nlu: Nlu, text: str) -> tuple[str, dict[str, str]]:
    result = nlu.parse(text)
    return result.intent, {k: v.interpreted for k, v in result.slots.items()}


@pytest.mark.parametrize(
    "text",
    [
        "daily is too much for the idle report; every thursday at 10am is enough",
        "post the idle report on thursdays at 10am, hourly would be spam",
    ],
)
def test_a_recurring_day_is_weekly(nlu: Nlu, text: str) -> None:
    intent, slots = read(nlu, text)
    assert intent == "ScheduleReport"
    assert (slots["frequency"], slots["day"]) == ("weekly", "thursday")


def test_a_read_ruled_out_with_nothing_asked_instead_is_fallback(nlu: Nlu) -> None:
    text = "no need to check the budgets, Priya looked this morning"
    assert act_of(normalize(text)).form == "negated"
    assert nlu.parse(text).intent == "FallbackIntent"


def test_a_read_ruled_out_then_another_read(nlu: Nlu) -> None:
    intent, _ = read(nlu, "don't show me the costs, just list the training jobs")
    assert intent == "ListJobs"


@pytest.mark.parametrize(
    "text",
    [
        "should we post the cost report every friday? yes, let's do it",
        "should we send the monitor report daily at 9am? ok go ahead",
    ],
)
def test_a_should_question_its_sender_answers_is_a_request(nlu: Nlu, text: str) -> None:
    assert act_of(normalize(text)).form is None
    assert nlu.parse(text).intent == "ScheduleReport"


def test_an_unanswered_should_question_stays_a_question(nlu: Nlu) -> None:
    text = "should we post the cost report every friday? what do you think"
    assert act_of(normalize(text)).form is not None
    assert nlu.parse(text).intent != "ScheduleReport"


@pytest.mark.parametrize(
    "text", ["show me our Gitlab jobs", "how big is the Heroku bill this month?"]
)
def test_another_products_things_are_out_of_scope(nlu: Nlu, text: str) -> None:
    assert nlu.parse(text).intent == "FallbackIntent"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("show me our Autopilot jobs", "ListJobs"),
        ("Jobs list please", "ListJobs"),
        ("how big is the SageMaker bill this month?", "CostReport"),
    ],
)
def test_our_own_names_are_not_another_product(nlu: Nlu, text: str, intent: str) -> None:
    assert nlu.parse(text).intent == intent


def test_for_me_is_for_whom(nlu: Nlu) -> None:
    assert nlu.parse("find the objects in this picture for me (uploaded)").intent == "DetectLabels"


def test_a_console_link_keeps_the_resource_it_names(nlu: Nlu) -> None:
    url = "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/nightly-fm-42"
    plain = to_plain(f"is <{url}|that one> done yet?")
    assert "that one" in plain
    intent, slots = read(nlu, plain)
    assert (intent, slots.get("jobName")) == ("TrainingStatus", "nightly-fm-42")
    assert to_plain("<https://example.com/page|the docs>") == "the docs"


def test_go_ahead_and_answer_is_no_answer() -> None:
    text = "should we delete the churn-ep-9 endpoint? go ahead and tell me what you think"
    assert act_of(normalize(text)).form == "should"
