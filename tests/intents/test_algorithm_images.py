"""The built-in algorithms' image table (intents/data/algorithm_images.json) against the
SageMaker SDK it is generated from; the bot itself never imports the SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from intents.algorithms import ALGORITHMS, IMAGES, image_uri
from intents.errors import NotAvailable

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_is_what_the_sdk_says_for_every_algorithm_and_region() -> None:
    # This test may import the SDK (1-2 s); production code must not.
    from tools.algorithm_images import build

    expected = build()["images"]
    table = json.loads(IMAGES.read_text())["images"]
    assert table == expected, (
        "intents/data/algorithm_images.json is out of date with the installed SageMaker SDK: "
        "run .venv/bin/python tools/algorithm_images.py"
    )


def test_every_algorithm_has_its_version_and_the_usual_regions() -> None:
    table = json.loads(IMAGES.read_text())["images"]
    assert set(table) == set(ALGORITHMS)
    for name, algo in ALGORITHMS.items():
        assert (table[name]["framework"], table[name]["version"]) == (algo.framework, algo.version)
        for region in ("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"):
            assert image_uri(algo, region).split(".dkr.ecr.")[1].startswith(region)
    assert (
        image_uri(ALGORITHMS["xgboost"], "us-east-1")
        == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    )
    assert image_uri(ALGORITHMS["kmeans"], "cn-north-1").endswith(".amazonaws.com.cn/kmeans:1")


def test_a_region_without_the_image() -> None:
    with pytest.raises(NotAvailable) as err:
        image_uri(ALGORITHMS["xgboost"], "xx-east-9")
    assert err.value.hint == "Unsupported region: xx-east-9."


def test_looking_an_image_up_imports_neither_the_sdk_nor_pandas() -> None:
    code = (
        "import sys; from intents.algorithms import ALGORITHMS, image_uri; "
        "image_uri(ALGORITHMS['xgboost'], 'eu-west-1'); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sagemaker', 'pandas', 'numpy', 'scipy'}))"
    )
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True)
    assert out.strip() == "[]"
