"""Build time: fit the intent classifier, and estimate how well it generalizes.

``chatops nlu train`` fits a multinomial logistic regression (L2, L-BFGS) on

- the definition's sample utterances (slot references filled with sample values,
  each utterance weighing one line whatever its number of fillings), and
- the labelled files in ``lex/data/*.jsonl`` (the catalog's evaluation format),

over the features of :meth:`lex.nlu.Nlu.model_features`, and writes ``lex/model.toml``.

``chatops nlu crossval`` gives the honest figure: each labelled file in turn is
scored by a model trained without it (leave one set out). A figure on a file the
model was trained on says nothing about messages nobody has written yet.

This module needs numpy and scipy (both come with sagemaker-core); the runtime
never imports it.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lex.definition import DEFINITION_PATH, BotDefinition
from lex.evaluate import Example, Report, evaluate, load_examples
from lex.local import LocalLexRuntime
from lex.model import LinearModel
from lex.nlu import FALLBACK, Nlu, Settings

DATA_DIR = Path(__file__).with_name("data")
# What the features depend on besides the data: a change here makes the model stale.
SOURCES = ("nlu.py", "text.py", "speech.py", "model.py", "train.py")
SETTINGS = Settings()
L2 = 0.3  # the weight of the penalty, against a sum of per-line losses (chosen by crossval)
PRUNE = 0.01  # weights smaller than this are left out of the file
BALANCE = 0.0


def training_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def inputs_digest(
    definition_path: Path = DEFINITION_PATH,
    files: Iterable[Path] | None = None,
    settings: Settings = SETTINGS,
) -> str:
    """sha256 over everything the model is a function of."""
    h = hashlib.sha256()
    h.update(definition_path.read_bytes())
    for path in training_files() if files is None else files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    here = Path(__file__).parent
    for name in SOURCES:
        h.update(name.encode() + b"\0" + (here / name).read_bytes())
    h.update(f"{settings.text()} l2={L2} prune={PRUNE}".encode())
    return h.hexdigest()


def utterance_rows(nlu: Nlu) -> list[tuple[dict[str, float], str, float]]:
    """(features, intent, weight) for each filling of each sample utterance."""
    rows = []
    for intent in nlu.definition.intents.values():
        if intent.parent:
            continue
        for utterance in intent.utterances:
            variants = 3 if "{" in utterance else 1
            for variant in range(variants):
                analysis = nlu.analyze(
                    nlu._render(intent, utterance, variant), correct=False, account=False
                )
                rows.append((nlu.model_features(analysis), intent.name, 1.0 / variants))
    return rows


def example_rows(
    nlu: Nlu, examples: Iterable[Example], prepare: Callable[[str], str]
) -> list[tuple[dict[str, float], str, float]]:
    """(features, intent, weight) for labelled lines. A negated or "should we" line is
    left out: the rules read those (lex.speech), the classifier never decides them."""
    rows = []
    for e in examples:
        analysis = nlu.analyze(prepare(e.text))
        if analysis.act.form in ("negated", "should"):
            continue
        rows.append((nlu.model_features(analysis), e.intent, 1.0))
    return rows


def fit(
    definition: BotDefinition,
    examples: Iterable[Example],
    *,
    prepare: Callable[[str], str] = str.strip,
    settings: Settings = SETTINGS,
    l2: float = L2,
    prune: float = PRUNE,
    min_count: int = 1,
    balance: float = BALANCE,
    inputs: str = "",
) -> LinearModel:
    """*balance*: 0 weighs every line alike; 1 gives every intent the same total weight."""
    import numpy as np
    from scipy import optimize, sparse

    nlu = Nlu(definition, model=LinearModel((), (), {}, config=settings.text()))
    rows = utterance_rows(nlu) + example_rows(nlu, examples, prepare)
    classes = sorted({intent for _, intent, _ in rows} | {FALLBACK})
    counts: Counter[str] = Counter(f for features, _, _ in rows for f in features)
    vocab = sorted(f for f, c in counts.items() if c >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    data, cols, indptr = [], [], [0]
    for features, _, _ in rows:
        known = sorted((index[f], v) for f, v in features.items() if f in index)
        cols += [i for i, _ in known]
        data += [v for _, v in known]
        indptr.append(len(cols))
    x = sparse.csr_matrix((data, cols, indptr), shape=(len(rows), len(vocab)))
    y = np.array([classes.index(intent) for _, intent, _ in rows])
    totals: Counter[str] = Counter()
    for _, intent, weight in rows:
        totals[intent] += weight  # type: ignore[assignment]
    mean_total = sum(totals.values()) / len(totals)
    sw = np.array([w * (mean_total / totals[i]) ** balance for _, i, w in rows])
    n_feat, n_cls = len(vocab), len(classes)
    onehot = np.zeros((len(rows), n_cls))
    onehot[np.arange(len(rows)), y] = 1.0

    def loss(theta: Any) -> tuple[float, Any]:
        w = theta[: n_feat * n_cls].reshape(n_feat, n_cls)
        b = theta[n_feat * n_cls :]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -(sw * (logp * onehot).sum(axis=1)).sum() + 0.5 * l2 * (w * w).sum()
        g = (np.exp(logp) - onehot) * sw[:, None]
        grad_w = x.T @ g + l2 * w
        return float(value), np.concatenate([np.asarray(grad_w).ravel(), g.sum(axis=0)])

    theta0 = np.zeros(n_feat * n_cls + n_cls)
    result = optimize.minimize(
        loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500, "gtol": 1e-6}
    )
    w = result.x[: n_feat * n_cls].reshape(n_feat, n_cls)
    b = result.x[n_feat * n_cls :]
    weights: dict[str, tuple[tuple[int, float], ...]] = {}
    for feature, row in zip(vocab, w, strict=True):
        kept = tuple((k, float(f"{v:.4g}")) for k, v in enumerate(row) if abs(v) >= prune)
        if kept:
            weights[feature] = kept
    return LinearModel(
        classes=tuple(classes),
        bias=tuple(float(f"{v:.6g}") for v in b - b.mean()),
        weights=weights,
        inputs=inputs,
        config=settings.text(),
    )


# ---------------------------------------------------------------------------- estimates


@dataclass(frozen=True)
class Fold:
    name: str  # the file scored
    report: Report


@dataclass(frozen=True)
class CrossValidation:
    folds: list[Fold]

    def summary(self) -> dict[str, Any]:
        reports = [f.report for f in self.folds]
        acc = [r.intent_accuracy for r in reports]
        f1 = [r.slot_f1 for r in reports]
        slots: dict[str, Counter[str]] = {}
        for r in reports:
            for name, c in r.slots.items():
                slots.setdefault(name, Counter()).update({k: int(c[k]) for k in ("tp", "fp", "fn")})
        return {
            "folds": {
                f.name: {
                    "n": f.report.n,
                    "intent_accuracy": f.report.intent_accuracy,
                    "slot_f1": f.report.slot_f1,
                    "wrong_mutating": f.report.wrong_mutating,
                    "mutating_false_positives": f.report.mutating_false_positives,
                }
                for f in self.folds
            },
            "mean": {
                "intent_accuracy": round(statistics.mean(acc), 4),
                "slot_f1": round(statistics.mean(f1), 4),
                "wrong_mutating": round(statistics.mean(r.wrong_mutating for r in reports), 2),
                "mutating_false_positives": round(
                    statistics.mean(r.mutating_false_positives for r in reports), 2
                ),
            },
            "worst": {
                "intent_accuracy": min(acc),
                "slot_f1": min(f1),
                "wrong_mutating": max(r.wrong_mutating for r in reports),
                "mutating_false_positives": max(r.mutating_false_positives for r in reports),
            },
            "slot_f1_by_slot": {
                name: round(2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]), 4)
                for name, c in sorted(slots.items())
                if c["tp"] + c["fp"] + c["fn"]
            },
        }


def cross_validate(
    definition: BotDefinition,
    sets: dict[str, list[Example]],
    *,
    prepare: Callable[[str], str] = str.strip,
    learned: bool = True,
    **fit_options: Any,
) -> CrossValidation:
    """Leave one set out: each set is scored by a runtime built without it. With
    ``learned=False``, the runtime without a learned model (it trains on nothing here,
    so each fold is simply its score on that set)."""
    folds = []
    for name, held_out in sets.items():
        model = None
        if learned:
            train = [e for other, lines in sets.items() if other != name for e in lines]
            model = fit(definition, train, prepare=prepare, **fit_options)
        runtime = LocalLexRuntime(definition, model=model, learned=False)
        folds.append(Fold(name, evaluate(runtime, held_out, definition, prepare=prepare)))
    return CrossValidation(folds)


def load_sets(paths: Iterable[Path]) -> dict[str, list[Example]]:
    return {p.stem: load_examples(p) for p in paths}


def train(
    definition: BotDefinition,
    *,
    prepare: Callable[[str], str] = str.strip,
    files: list[Path] | None = None,
) -> LinearModel:
    """The production model: every training file and the utterances."""
    files = training_files() if files is None else files
    examples = [e for p in files for e in load_examples(p)]
    return fit(definition, examples, prepare=prepare, inputs=inputs_digest(files=files))
