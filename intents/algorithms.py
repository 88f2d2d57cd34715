"""SageMaker built-in algorithms: container images, input format, default hyperparameters."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from intents.errors import InvalidInput, NotAvailable


@dataclass(frozen=True)
class Algorithm:
    name: str  # the catalog's canonical value
    framework: str  # the SageMaker SDK's name (image_uris.retrieve), in the image table
    version: str | None
    content_type: str
    defaults: dict[str, str] = field(default_factory=dict)
    known: frozenset[str] = frozenset()  # hyperparameters the algorithm accepts
    supervised: bool = True
    # Hyperparameters whose value comes from the data when not given.
    feature_dim: bool = False


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "xgboost",
            "xgboost",
            "1.7-1",
            "text/csv",
            {
                "objective": "binary:logistic",
                "num_round": "100",
                "max_depth": "5",
                "eta": "0.2",
                "subsample": "0.8",
                "eval_metric": "auc",
            },
            _names(
                "num_round objective max_depth eta gamma min_child_weight subsample colsample_bytree "
                "lambda alpha eval_metric num_class scale_pos_weight early_stopping_rounds tree_method "
                "max_delta_step booster seed verbosity"
            ),
        ),
        Algorithm(
            "linear-learner",
            "linear-learner",
            None,
            "text/csv",
            {"predictor_type": "binary_classifier", "mini_batch_size": "200", "epochs": "15"},
            _names(
                "predictor_type mini_batch_size epochs learning_rate l1 wd num_classes loss "
                "normalize_data normalize_label optimizer feature_dim binary_classifier_model_selection_criteria "
                "early_stopping_patience num_models"
            ),
        ),
        Algorithm(
            "kmeans",
            "kmeans",
            None,
            "text/csv",
            {"k": "8", "mini_batch_size": "500"},
            _names(
                "k feature_dim mini_batch_size epochs init_method extra_center_factor local_lloyd_max_iter "
                "eval_metrics half_life_time_size"
            ),
            supervised=False,
            feature_dim=True,
        ),
        Algorithm(
            "knn",
            "knn",
            None,
            "text/csv",
            {"k": "10", "predictor_type": "classifier", "sample_size": "200000"},
            _names(
                "k predictor_type sample_size feature_dim dimension_reduction_type dimension_reduction_target "
                "index_type mini_batch_size"
            ),
            feature_dim=True,
        ),
        Algorithm(
            "pca",
            "pca",
            None,
            "text/csv",
            {"num_components": "10", "mini_batch_size": "500", "algorithm_mode": "regular"},
            _names(
                "num_components feature_dim mini_batch_size algorithm_mode subtract_mean extra_components"
            ),
            supervised=False,
            feature_dim=True,
        ),
        Algorithm(
            "random-cut-forest",
            "randomcutforest",
            None,
            "text/csv",
            {"num_trees": "100", "num_samples_per_tree": "256"},
            _names("num_trees num_samples_per_tree feature_dim eval_metrics"),
            supervised=False,
            feature_dim=True,
        ),
        Algorithm(
            "factorization-machines",
            "factorization-machines",
            None,
            "application/x-recordio-protobuf",
            {
                "num_factors": "64",
                "predictor_type": "regressor",
                "epochs": "20",
                "mini_batch_size": "1000",
            },
            _names(
                "num_factors predictor_type feature_dim epochs mini_batch_size bias_lr linear_lr factors_lr "
                "bias_wd linear_wd factors_wd"
            ),
            feature_dim=True,
        ),
        Algorithm(
            "blazingtext",
            "blazingtext",
            None,
            "text/plain",
            {"mode": "supervised", "epochs": "10", "learning_rate": "0.05", "vector_dim": "100"},
            _names(
                "mode epochs learning_rate vector_dim min_count word_ngrams window_size negative_samples "
                "early_stopping patience buckets"
            ),
        ),
        Algorithm(
            "image-classification",
            "image-classification",
            None,
            "application/x-image",
            {
                "num_layers": "18",
                "epochs": "10",
                "learning_rate": "0.01",
                "mini_batch_size": "32",
                "use_pretrained_model": "1",
            },
            _names(
                "num_classes num_training_samples num_layers epochs learning_rate mini_batch_size "
                "use_pretrained_model image_shape augmentation_type optimizer"
            ),
        ),
        Algorithm(
            "object-detection",
            "object-detection",
            None,
            "application/x-image",
            {
                "base_network": "resnet-50",
                "epochs": "30",
                "learning_rate": "0.001",
                "mini_batch_size": "16",
                "use_pretrained_model": "1",
            },
            _names(
                "num_classes num_training_samples base_network epochs learning_rate mini_batch_size "
                "use_pretrained_model image_shape optimizer"
            ),
        ),
        Algorithm(
            "deepar",
            "forecasting-deepar",
            None,
            "application/jsonlines",
            {
                "time_freq": "D",
                "context_length": "30",
                "prediction_length": "14",
                "epochs": "50",
                "num_cells": "40",
                "num_layers": "2",
            },
            _names(
                "time_freq context_length prediction_length epochs num_cells num_layers likelihood "
                "mini_batch_size learning_rate dropout_rate early_stopping_patience cardinality"
            ),
        ),
    )
}
# Required hyperparameters with no sensible default: the user must say them.
REQUIRED_FROM_USER = {
    "image-classification": ("num_classes", "num_training_samples"),
    "object-detection": ("num_classes", "num_training_samples"),
}
_HYPER = re.compile(r"(?<![\w/:.=-])([A-Za-z_][\w:.\-]*)\s*=\s*([^\s,;]+)")
_HYPER_HINT = re.compile(r"\b(hyper\s*-?param(?:eter)?s?|hparams?)\b[:\s]*(.*)$", re.I)
_VALUE = re.compile(r"^[\w.:+\-]{1,256}$")


def algorithm(name: str) -> Algorithm:
    found = ALGORITHMS.get(name.strip().lower())
    if found is None:
        close = difflib.get_close_matches(name.lower(), list(ALGORITHMS), n=1, cutoff=0.6)
        raise InvalidInput(
            f"{name[:40]!r} is not one of the built-in algorithms I can train.",
            hint=(f"Did you mean {close[0]}? " if close else "")
            + "I know: "
            + ", ".join(ALGORITHMS)
            + ".",
        )
    return found


def parse_hyperparameters(text: str, algo: Algorithm) -> dict[str, str]:
    """`name=value` pairs written in the message; anything else after 'hyperparameters' is an error."""
    clean = re.sub(r"s3://\S+", " ", text)
    pairs = {k: v.strip("'\"`") for k, v in _HYPER.findall(clean)}
    hint = _HYPER_HINT.search(clean)
    if hint:
        leftover = _HYPER.sub(" ", hint.group(2)).strip(" ,;")
        if leftover:
            raise InvalidInput(
                f"I couldn't read the hyperparameters {leftover[:60]!r}.",
                hint="Write them as name=value, for example num_round=200 max_depth=6.",
            )
    for name, value in pairs.items():
        if name not in algo.known:
            close = difflib.get_close_matches(name, sorted(algo.known), n=1)
            raise InvalidInput(
                f"{algo.name} has no hyperparameter {name!r}.",
                hint=(f"Did you mean {close[0]}? " if close else "")
                + "It takes: "
                + ", ".join(sorted(algo.known))
                + ".",
            )
        if not _VALUE.match(value):
            raise InvalidInput(
                f"The value of {name} ({value[:40]!r}) is not a plain value.",
                hint="Use letters, digits, '.', ':', '-' or '+', e.g. eta=0.1.",
            )
    return pairs


# Every built-in algorithm's image in every region, generated from the SageMaker SDK's own
# data by tools/algorithm_images.py (a test checks it against the SDK): importing the SDK
# to look one up took 1.3 s, 800 modules (pandas, numpy, scipy) and 100 MB.
IMAGES = Path(__file__).with_name("data") / "algorithm_images.json"


@lru_cache(maxsize=1)
def _images() -> dict[str, dict[str, str]]:
    data = json.loads(IMAGES.read_text())
    return {name: dict(entry["uris"]) for name, entry in data["images"].items()}


def image_uri(algo: Algorithm, region: str) -> str:
    """The algorithm's container image for *region* (offline, from the generated table)."""
    uri = _images().get(algo.name, {}).get(region)
    if uri is None:
        raise NotAvailable(
            f"There is no {algo.name} image for region {region}.",
            hint=f"Unsupported region: {region}.",
        )
    return uri


def aws_image_accounts(region: str) -> set[str]:
    """The AWS-owned ECR accounts that serve the built-in algorithms in *region*."""
    accounts = set()
    for algo in ALGORITHMS.values():
        try:
            accounts.add(image_uri(algo, region).split(".", 1)[0])
        except NotAvailable:
            continue
    return accounts
