"""Regenerate intents/data/algorithm_images.json from the installed SageMaker SDK.

    .venv/bin/python tools/algorithm_images.py

The bot looks up a built-in algorithm's container image in that table instead of
importing the SDK (1.3 s, 800 modules and 100 MB for one string); tests/intents/
test_algorithm_images.py fails when the table and the installed SDK disagree.
"""

from __future__ import annotations

import functools
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "intents" / "data" / "algorithm_images.json"


def regions(framework: str, algorithm_version: str | None) -> list[str]:
    """The regions the SDK has a training image of *framework* for."""
    from sagemaker.core import image_uris

    config = image_uris.config_for_framework(framework)
    scoped = config if "scope" in config else config["training"]
    versions = scoped["versions"]
    key = algorithm_version or next(iter(versions))
    key = scoped.get("version_aliases", {}).get(key, key)
    return sorted(versions[key]["registries"])


def build() -> dict[str, Any]:
    """The table: for each algorithm the bot trains, its image URI in every region, exactly
    as ``image_uris.retrieve`` answers (the call the bot used to make)."""
    from sagemaker.core import common_utils, image_uris

    sys.path.insert(0, str(ROOT))
    from intents.algorithms import ALGORITHMS

    # retrieve() reloads botocore's endpoint data for every call (most of its time, 400
    # times here); the resolver it builds is the same each time, so build it once.
    resolver = common_utils._botocore_resolver
    common_utils._botocore_resolver = functools.cache(resolver)
    try:
        return _build(image_uris, ALGORITHMS)
    finally:
        common_utils._botocore_resolver = resolver


def _build(image_uris: Any, algorithms: dict[str, Any]) -> dict[str, Any]:
    images: dict[str, Any] = {}
    for algo in algorithms.values():
        uris = {}
        for region in regions(algo.framework, algo.version):
            try:
                uris[region] = str(
                    image_uris.retrieve(algo.framework, region, version=algo.version)
                    if algo.version
                    else image_uris.retrieve(algo.framework, region)
                )
            except ValueError:
                continue  # a region the SDK lists but cannot resolve: no image there
        images[algo.name] = {"framework": algo.framework, "version": algo.version, "uris": uris}
    return {"sdk": f"sagemaker-core {version('sagemaker-core')}", "images": images}


def main() -> None:
    TABLE.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
