"""The local runtime meets its targets on phrasings that are not in the bot definition.

nlu_dev, nlu_holdout and nlu_fresh were written independently of the sample
utterances (typos, Slack formatting, politeness, out-of-scope lines included).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lex.evaluate import evaluate, load_examples
from lex.local import LocalLexRuntime

DATA = Path(__file__).parent.parent.parent / "lex" / "data"


@pytest.fixture(scope="module")
def runtime() -> LocalLexRuntime:
    return LocalLexRuntime()


@pytest.mark.parametrize("name", ["nlu_dev.jsonl", "nlu_holdout.jsonl", "nlu_fresh.jsonl"])
def test_targets_hold(runtime: LocalLexRuntime, name: str) -> None:
    examples = load_examples(DATA / name)
    intents = {e.intent for e in examples}
    assert intents == set(runtime.definition.intents), "every catalog intent is covered"
    assert all(sum(e.intent == i for e in examples) >= 10 for i in intents)
    report = evaluate(runtime, examples, runtime.definition)
    assert report.intent_accuracy >= 0.92, report.confused
    assert report.slot_f1 >= 0.88
    assert report.mutating_false_positives == 0
    assert report.wrong_mutating == 0


def test_targets_hold_on_the_fourth_set(runtime: LocalLexRuntime) -> None:
    """nlu_fourth was written by someone who never saw the utterances, in Slack's own voice
    (mentions, links, emoji, typos, negations, near-misses). Before this work: accuracy 0.826,
    slot F1 0.914, 21 lines sent to a change nobody asked for. Its held-out part (lex.evaluate.part)
    was not looked at while tuning."""
    examples = load_examples(DATA / "nlu_fourth.jsonl")
    assert {e.intent for e in examples} == set(runtime.definition.intents)
    assert sum(e.intent == "FallbackIntent" for e in examples) >= 25
    from bot.slack.text import to_plain  # the lines are Slack markup: read them as the bot does
    from lex.text import normalize

    report = evaluate(
        runtime, examples, runtime.definition, prepare=lambda t: normalize(to_plain(t))
    )
    assert report.intent_accuracy >= 0.95, report.confused
    assert report.slot_f1 >= 0.95
    assert report.wrong_mutating == 0 and report.mutating_false_positives == 0


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
