"""Which value a message asks for when it names several, and texts it quotes.

- A quoted text is the sender's material, not the sender's words: a negation or a
  question inside it rules nothing out and asks nothing.
- Words are read in any script, and a translation can be asked for in the language of
  the text ("traducir ... al alemán", "переведи на немецкий").
- Of several values of one slot, one that is ruled out ("not X", "instead of X", in a
  clause that a negation opens) is not the one asked for; a sender who corrects
  themselves ("actually", "no wait", "make it") means the later value; a target
  language is the one after to/into, else the last one after "in", never one after
  "from".
- "error-free", "gpu-based": English compounds, not resource names.
"""

from __future__ import annotations

import pytest

from lex.local import LocalLexRuntime
from lex.nlu import Nlu, act_of
from lex.text import normalize


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


def slots(nlu: Nlu, text: str) -> tuple[str, dict[str, str]]:
    result = nlu.parse(text)
    return result.intent, {k: v.interpreted for k, v in result.slots.items()}


@pytest.mark.parametrize(
    "text",
    [
        "translate 'never stop learning' into German",
        'say "do not disturb, meeting in progress" with Joanna',
        "translate 'should we stop here?' into Spanish",
    ],
)
def test_negations_and_questions_inside_quotes_are_the_texts(nlu: Nlu, text: str) -> None:
    assert act_of(normalize(text)).form is None
    assert nlu.parse(text).intent != "FallbackIntent"


def test_a_negation_outside_the_quotes_still_counts(nlu: Nlu) -> None:
    act = act_of(normalize("don't delete ep-7, just say 'all good' with Matthew"))
    assert act.form == "negated"
    assert "'all good'" in act.rest


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("traducir 'buenas noches' al alemán", "de"),
        ("переведи на немецкий: 'доброе утро'", "de"),
        ("traduire 'merci beaucoup' en anglais", "en"),
        ("bitte übersetzen: 'Guten Tag' ins Englisch", "en"),
    ],
)
def test_translation_asked_in_another_language(nlu: Nlu, text: str, language: str) -> None:
    intent, found = slots(nlu, text)
    assert intent == "TranslateText"
    assert found["targetLanguage"] == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("translate 'see you soon' from Spanish into Japanese", "ja"),
        ("this note is in German, what is it in Korean? 'bis bald'", "ko"),
        ("not into Dutch, translate 'ship it' into Portuguese", "pt"),
        ("don't translate it to Chinese, I want Arabic: 'thank you'", "ar"),
        ("translate 'hello' to Russian instead of Dutch", "ru"),
    ],
)
def test_which_language_is_the_target(nlu: Nlu, text: str, language: str) -> None:
    intent, found = slots(nlu, text)
    assert intent == "TranslateText"
    assert found["targetLanguage"] == language


def test_a_frequency_ruled_out_is_not_the_one_asked_for(nlu: Nlu) -> None:
    intent, found = slots(nlu, "post the idle report hourly, not daily")
    assert intent == "ScheduleReport"
    assert found["frequency"] == "hourly"


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("train pca on s3://b/x.csv, actually make it kmeans", "algorithm", "kmeans"),
        ("train kmeans instead of pca on s3://b/x.csv", "algorithm", "kmeans"),
        (
            "deploy rank-model-v2 on ml.c5.large, sorry, I mean ml.c5.2xlarge",
            "instanceType",
            "ml.c5.2xlarge",
        ),
    ],
)
def test_a_sender_correcting_themselves_means_the_later_value(
    nlu: Nlu, text: str, slot: str, value: str
) -> None:
    assert slots(nlu, text)[1][slot] == value


@pytest.mark.parametrize("word", ["error-free", "gpu-based", "cost-related"])
def test_english_compounds_are_not_names(nlu: Nlu, word: str) -> None:
    _, found = slots(nlu, f"are the endpoints {word}?")
    assert "endpointName" not in found


def test_a_payload_is_never_cut_into_clauses(nlu: Nlu) -> None:
    text = 'no need to redeploy, only invoke scoring-ep-2 with {"age": 41, "plan": "pro"}'
    act = act_of(normalize(text))
    assert '{"age": 41, "plan": "pro"}' in act.rest
    intent, found = slots(nlu, text)
    assert (intent, found["payload"]) == ("InvokeEndpoint", '{"age": 41, "plan": "pro"}')


def test_pictographs_in_quoted_text_stay(nlu: Nlu) -> None:
    assert normalize("🎉 sentiment of 'we shipped it 🎉'") == "sentiment of 'we shipped it 🎉'"
    _, found = slots(nlu, "how does 'worst release ever 😡' sound?")
    assert found["text"] == "worst release ever 😡"


def test_a_dataset_or_algorithm_is_never_the_audit_log(nlu: Nlu) -> None:
    text = "for the compliance audit project: kmeans on s3://bkt/audit/clusters.csv"
    assert nlu.parse(text).intent != "AuditLog"
    assert nlu.parse("show the audit log").intent == "AuditLog"
