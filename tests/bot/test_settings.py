from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_are_valid_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.aws_region == "us-east-1" and not settings.socket_mode
    assert "ml.m5.xlarge" in settings.allowed_instance_types


def test_lists_come_from_comma_separated_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHATOPS_BOT_CHANNELS", "C1, C2")
    monkeypatch.setenv("CHATOPS_ALLOWED_BUCKETS", "s3://data-bucket,other-bucket")
    settings = load_settings()
    assert settings.bot_channels == ["C1", "C2"]
    assert settings.allowed_buckets == ["data-bucket", "other-bucket"]


def test_each_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("CHATOPS_MAX_INSTANCE_COUNT", "many")
    monkeypatch.setenv("CHATOPS_ALLOWED_INSTANCE_TYPES", "ml.m5.xlarge,huge")
    with pytest.raises(SettingsError) as err:
        load_settings()
    problems = err.value.problems
    assert len(problems) == 3
    assert any(p.startswith("SLACK_BOT_TOKEN is not valid: must be a bot token") for p in problems)
    assert any(p.startswith("CHATOPS_MAX_INSTANCE_COUNT is not valid") for p in problems)
    assert any("huge" in p and p.startswith("CHATOPS_ALLOWED_INSTANCE_TYPES") for p in problems)


def test_require_names_missing_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError) as err:
        load_settings().require("slack_bot_token", "slack_signing_secret")
    assert [p.split(" ")[0] for p in err.value.problems] == [
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
    ]


def test_cli_reports_settings_problems_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "chatops: SLACK_BOT_TOKEN is not set" in err and "Traceback" not in err


def test_tokens_never_appear_in_logs(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from bot.logs import setup_logging

    setup_logging("INFO")
    logging.getLogger("t").info("token xoxb-1234-5678-abcdef and xapp-1-A1-2-b3")
    err = capsys.readouterr().err
    assert "xoxb-1234" not in err and "xapp-1-A1" not in err and "redacted" in err


def test_run_with_a_token_slack_rejects_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from bot.sandbox.slack_api import SlackStandIn

    slack = SlackStandIn("xoxb-the-right-one").start()
    try:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-a-wrong-one")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
        monkeypatch.setenv("CHATOPS_SLACK_API_URL", slack.url)
        assert main(["run"]) == 2
    finally:
        slack.stop()
    err = capsys.readouterr().err
    assert (
        "Slack did not accept SLACK_BOT_TOKEN" in err
        and "Traceback" not in err
        and "xoxb-a-wrong" not in err
    )


def test_run_when_slack_cannot_be_reached_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from bot.cli import main

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-unreachable")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("CHATOPS_SLACK_API_URL", f"http://127.0.0.1:{port}/api/")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "could not reach Slack at http://127.0.0.1" in err
    assert "Traceback" not in err and "xoxb-unreachable" not in err
