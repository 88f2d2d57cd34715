"""The learned intent classifier: checked in, up to date, plain Python at run time."""

from __future__ import annotations

import subprocess
import sys

from lex.model import LinearModel, load_model, loads
from lex.train import inputs_digest


def test_the_checked_in_model_is_up_to_date_with_its_inputs() -> None:
    model = load_model()
    assert model is not None, "lex/model.toml is missing: run `chatops nlu train`"
    assert model.inputs == inputs_digest(), (
        "lex/model.toml is stale (bot.toml, lex/data/*.jsonl or the feature code changed): "
        "run `chatops nlu train` and commit the file"
    )


def test_the_model_file_reads_back_as_written() -> None:
    model = LinearModel(
        classes=("A", "FallbackIntent"),
        bias=(0.5, -0.5),
        weights={"deploy": ((0, 1.25),), "w:it's": ((0, -0.5), (1, 0.75)), "nb:A": ((0, 2.0),)},
        inputs="abc",
        config="concepts=1 gate=all",
    )
    again = loads(model.dumps())
    assert again == model
    probs = again.probabilities({"deploy": 1.0, "nb:A": 0.5})
    assert max(probs, key=probs.__getitem__) == "A" and abs(sum(probs.values()) - 1) < 1e-9


def test_the_runtime_needs_neither_numpy_nor_scipy() -> None:
    code = (
        "import sys; from lex.local import LocalLexRuntime; r = LocalLexRuntime(); "
        "assert r.nlu.model is not None; "
        "r.recognize_text(sessionId='s1', text='train xgboost on s3://a/b.csv'); "
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert out.strip() == "[]"


def test_a_custom_definition_gets_no_model_unless_given_one() -> None:
    from lex.definition import load_definition
    from lex.local import LocalLexRuntime

    assert LocalLexRuntime(load_definition()).nlu.model is None
    assert LocalLexRuntime(learned=False).nlu.model is None
    assert LocalLexRuntime().nlu.model is not None
