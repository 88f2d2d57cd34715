"""Imports run one way: bot/ may use intents/ and lex/; intents/ uses nothing from bot/;
lex/ uses nothing from bot/ or intents/; only bot/ knows Slack.

Every import counts, including those inside functions and ``if TYPE_CHECKING:`` blocks.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLACK = ("slack_sdk", "slack_bolt")
# package -> top-level modules it must not import
FORBIDDEN = {
    "lex": ("bot", "intents", *SLACK),
    "intents": ("bot", *SLACK),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in a file. Relative imports stay inside
    their own top-level package, so they cannot cross a layer."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append((node.lineno, node.module or ""))
    return found


def violations(root: Path) -> list[str]:
    problems = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imported_modules(path):
                top = module.split(".")[0]
                if top in forbidden:
                    where = path.relative_to(root)
                    problems.append(
                        f"{where}:{line} imports {module} ({package}/ must not use {top})"
                    )
    return problems


def test_no_import_runs_against_the_layers() -> None:
    assert violations(ROOT) == []


def test_the_check_catches_a_counter_example(tmp_path: Path) -> None:
    # Given a tree where intents/ reaches up into bot/ inside a function, lex/ knows intents/
    # under TYPE_CHECKING, and intents/ talks to Slack
    (tmp_path / "intents").mkdir()
    (tmp_path / "lex").mkdir()
    (tmp_path / "intents" / "ok.py").write_text(
        "from intents.base import Request\nimport lex.text\n"
    )
    (tmp_path / "intents" / "bad.py").write_text(
        "def f():\n    from bot.settings import Settings\n    return Settings\n"
    )
    (tmp_path / "intents" / "slacky.py").write_text("import slack_sdk.web\n")
    (tmp_path / "lex" / "bad.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from intents.deps import Deps\n"
    )
    found = violations(tmp_path)
    # Then each wrong-way import is named with its file and line, and nothing else is
    assert found == [
        "lex/bad.py:3 imports intents.deps (lex/ must not use intents)",
        "intents/bad.py:2 imports bot.settings (intents/ must not use bot)",
        "intents/slacky.py:1 imports slack_sdk.web (intents/ must not use slack_sdk)",
    ]
