"""The README, CI and settings agree."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings, env_name

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"| `{env_name(name)}` |" in readme, env_name(name)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text()
    install, run = (
        test_command.split(" && .venv/bin/python -m pytest")[0],
        ".venv/bin/python -m pytest",
    )
    assert install.replace("-q ", "") in ci.replace("-q ", "") and run in ci


def test_manifest_subscribes_to_every_way_in() -> None:
    manifest = (ROOT / "deploy" / "slack-app-manifest.yaml").read_text()
    for needed in (
        "command: /ml",
        "app_mention",
        "message.channels",
        "message.im",
        "interactivity",
        "chat:write",
        "commands",
        "app_home_opened",  # the Home tab
        "home_tab_enabled: true",
        "messages_tab_enabled: true",  # without it Slack refuses DMs to the app
        "messages_tab_read_only_enabled: false",
        "users:read",  # names in notification text
    ):
        assert needed in manifest
