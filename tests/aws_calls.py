"""Which AWS operations the bot's own code calls during the test suite (the IAM test
compares them with deploy/iam-policy*.json).

Every botocore API call made while the suite runs is attributed to the first frame of
the project's code on the stack: ``lex/deploy.py`` (run by a person or a pipeline with
the Lex deploy policy), the sandbox (not the bot), or the bot itself. Calls that only
tests make (moto set-up) are not counted.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

ROOT = Path(__file__).resolve().parents[1]
OURS = tuple(str(ROOT / package) + "/" for package in ("bot", "intents", "lex"))
SANDBOX = str(ROOT / "bot" / "sandbox") + "/"
# Code a person or a pipeline runs with its own IAM policy, not the bot's role:
# (file, function or None for the whole file) -> who
SETUP = {
    (str(ROOT / "lex" / "deploy.py"), None): "lex-deploy",
    (str(ROOT / "bot" / "state" / "dynamodb.py"), "create_table"): "state-setup",
}

# (who, service, operation): who is "bot" or one of SETUP's values
RECORDED: set[tuple[str, str, str]] = set()


def _caller() -> str | None:
    """Who makes the call: the innermost frame of our code decides, except that a frame of
    a setup file outside its setup function (e.g. the DynamoDB backend's own methods) is
    passed over, so the call counts for whoever used that code."""
    setup_files = {path for path, _ in SETUP}
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(SANDBOX):
            return None
        if name.startswith(OURS):
            for (path, function), who in SETUP.items():
                if name == path and function in (None, frame.f_code.co_name):
                    return who
            if name not in setup_files:
                return "bot"
        frame = frame.f_back  # type: ignore[assignment]
    return None


@contextmanager
def recording() -> Iterator[None]:
    original = BaseClient._make_api_call

    def record(self: Any, operation_name: str, api_params: Any) -> Any:
        who = _caller()
        if who is not None:
            RECORDED.add((who, self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = record  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
