"""How well the local runtime understands messages it was not built from.

The six labelled sets in lex/data were written independently of the sample utterances
(typos, Slack formatting, politeness, negations, out-of-scope lines) and are now the
learned classifier's training data, so a figure on any of them as a whole says nothing.
The figures pinned here are leave-one-set-out: each set is scored by a runtime whose
model was trained on the definition and the other sets only (`chatops nlu
crossval`). Caveat: the word families and key words in bot.toml were written by hand
while looking at all the sets, so even these figures are somewhat optimistic; on a
withheld set of 320 lines the runtime before this model scored accuracy 0.897. With the
lists as they were before nlu_fourth existed, the learned runtime scores 0.925 on it
(the lists alone: 0.921); before nlu_fresh existed, 0.981 on it (the lists alone: 0.962,
with 2 changes nobody asked for). nlu_fifth (320 lines, written by others) was the
development set of the nlu3 branch before it became training data: main's runtime
scored 0.922 accuracy / 0.949 slot F1 on it, the nlu3 runtime 0.981 / 0.997 (optimistic:
its mechanisms were worked out while looking at that set's errors). nlu_sixth (418
lines, by others) was blind to the nlu3 runtime (0.9545 accuracy / 0.949 slot F1) and
then the nlu4 branch's development set before it became training data (with 35 lines
written at the merge for the five intents it lacked). nlu_seventh (439 lines) is kept
outside the repository, blind: 0.9658 accuracy / 0.976 slot F1 / no wrong change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lex.evaluate import load_examples
from lex.train import CrossValidation, cross_validate, load_sets, training_files

DATA = Path(__file__).parent.parent.parent / "lex" / "data"


def as_in_production(text: str) -> str:
    from bot.slack.text import to_plain  # the lines are Slack markup: read them as the bot does
    from lex.text import normalize

    return normalize(to_plain(text))


@pytest.fixture(scope="module")
def crossval() -> CrossValidation:
    from lex.definition import load_definition

    return cross_validate(load_definition(), load_sets(training_files()), prepare=as_in_production)


def test_every_set_covers_every_intent() -> None:
    from lex.definition import load_definition

    intents = set(load_definition().intents)
    names = [p.name for p in training_files()]
    assert names == [
        "nlu_dev.jsonl",
        "nlu_fifth.jsonl",
        "nlu_fourth.jsonl",
        "nlu_fresh.jsonl",
        "nlu_holdout.jsonl",
        "nlu_sixth.jsonl",
    ]
    for path in training_files():
        examples = load_examples(path)
        assert {e.intent for e in examples} == intents, path.name
        assert all(sum(e.intent == i for e in examples) >= 7 for i in intents), path.name
        assert sum(e.intent == "FallbackIntent" for e in examples) >= 25, path.name


def test_leave_one_set_out_figures(crossval: CrossValidation) -> None:
    """Before the learned model (hand-written word lists only), the same runtime scored
    0.826 accuracy on nlu_fourth and 0.950 on nlu_fresh when each was new to it."""
    summary = crossval.summary()
    assert summary["mean"]["intent_accuracy"] >= 0.975, summary["folds"]
    assert summary["worst"]["intent_accuracy"] >= 0.96, summary["folds"]
    assert summary["mean"]["slot_f1"] >= 0.99, summary["folds"]
    assert summary["worst"]["slot_f1"] >= 0.98, summary["folds"]


def test_no_change_nobody_asked_for_on_any_fold(crossval: CrossValidation) -> None:
    for fold in crossval.folds:
        assert fold.report.wrong_mutating == 0, (fold.name, fold.report.confused)
        assert fold.report.mutating_false_positives == 0, fold.name


def test_eval_command_prints_the_figures_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["nlu", "eval", str(DATA / "nlu_dev.jsonl"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in (
        "intent_accuracy",
        "slot_f1",
        "slot_precision",
        "slot_recall",
        "mutating_false_positives",
        "wrong_mutating",
        "latency_ms_p50",
        "latency_ms_p99",
        "n",
    ):
        assert key in data
    assert data["n"] == len(load_examples(DATA / "nlu_dev.jsonl"))


def test_eval_writes_each_prediction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    data = tmp_path / "two.jsonl"
    data.write_text(
        '{"text": "delete endpoint fraud-detector-prod", "intent": "EndpointHealth"}\n'
        '{"text": "are my endpoints healthy", "intent": "EndpointHealth", "slots": {}}\n'
    )
    out = tmp_path / "predictions.jsonl"
    assert main(["nlu", "eval", str(data), "--json", "--predictions", str(out)]) == 0
    figures = json.loads(capsys.readouterr().out)
    # Given a line labelled as a read that the runtime turns into a deletion,
    # Then it counts as a change nobody asked for, though it is not out of scope.
    assert figures["wrong_mutating"] == 1 and figures["mutating_false_positives"] == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["expected"], r["got"]) for r in rows] == [
        ("EndpointHealth", "DeleteEndpoint"),
        ("EndpointHealth", "EndpointHealth"),
    ]
    assert rows[0]["got_slots"] == {"endpointName": "fraud-detector-prod"}
    assert set(rows[1]) == {"text", "expected", "got", "expected_slots", "got_slots"}


def test_the_split_is_fixed_and_about_seventy_thirty() -> None:
    from lex.evaluate import part

    examples = load_examples(DATA / "nlu_fourth.jsonl")
    held_out = [e for e in examples if part(e) == "held-out"]
    assert 0.2 < len(held_out) / len(examples) < 0.4
    assert [part(e) for e in examples] == [
        part(e) for e in load_examples(DATA / "nlu_fourth.jsonl")
    ]


def test_eval_rejects_a_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hi"}\nnot json\n')
    assert main(["nlu", "eval", str(bad)]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
