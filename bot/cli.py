"""`chatops`: run the bot, try it in the sandbox, manage the Lex bot, evaluate understanding."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.policy import PolicyError
from bot.settings import SettingsError, load_settings
from bot.state.dynamodb import StateError
from intents.registry import RegistryError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chatops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser(
        "run", help="run against real Slack and AWS (Socket Mode if SLACK_APP_TOKEN is set)"
    )

    sandbox = sub.add_parser(
        "sandbox", help="try everything offline: moto AWS, local Lex, local Slack"
    )
    sandbox.add_argument("--script", type=Path, help="play turns from a file, one a line")
    sandbox.add_argument("--json", action="store_true", help="print bot posts as JSON, one a line")
    sandbox.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="how fast simulated jobs move (2 = twice as fast; default 1)",
    )
    sandbox.add_argument("--verbose", action="store_true", help="show the bot's log on stderr")

    state = sub.add_parser("state", help="the bot's state backend")
    state_sub = state.add_subparsers(dest="state_command", required=True)
    state_sub.add_parser("init", help="create the DynamoDB table named by CHATOPS_DYNAMODB_TABLE")

    lex = sub.add_parser("lex", help="the Lex V2 bot built from lex/bot.toml")
    lex_sub = lex.add_subparsers(dest="lex_command", required=True)
    export = lex_sub.add_parser("export", help="write the Lex V2 import archive (.zip)")
    export.add_argument("-o", "--output", type=Path, default=Path("lex-bot.zip"))
    deploy = lex_sub.add_parser(
        "deploy", help="create or update the bot in AWS, build, publish, alias"
    )
    deploy.add_argument("--alias", default="live", help="alias name (default: live)")
    deploy.add_argument("--timeout", type=float, default=600, help="seconds to wait for Lex")

    nlu = sub.add_parser("nlu", help="language understanding tools")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    evaluate = nlu_sub.add_parser(
        "eval", help="score a runtime on a JSONL file of labelled messages"
    )
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--json", action="store_true", help="one JSON object with the figures")
    evaluate.add_argument(
        "--lex", action="store_true", help="use the deployed Lex bot, not the local runtime"
    )
    evaluate.add_argument(
        "--errors", type=int, default=0, help="show this many misunderstood lines"
    )
    evaluate.add_argument(
        "--predictions",
        type=Path,
        help="write each line's expected and predicted intent and slots here (JSONL)",
    )
    evaluate.add_argument(
        "--part",
        choices=("tune", "held-out"),
        help="score only one part of a fixed 70/30 split by a hash of the text",
    )

    train = nlu_sub.add_parser(
        "train",
        help="fit the local runtime's intent classifier on the definition and lex/data/*.jsonl",
    )
    train.add_argument(
        "--check", action="store_true", help="only say whether lex/model.toml is up to date"
    )
    crossval = nlu_sub.add_parser(
        "crossval",
        help="leave one set out: score each file with a model trained on the others",
    )
    crossval.add_argument("files", type=Path, nargs="*", help="default: lex/data/*.jsonl")
    crossval.add_argument("--json", action="store_true", help="one JSON object with the figures")
    crossval.add_argument(
        "--baseline",
        action="store_true",
        help="the runtime without a learned model (it trains on none of the files)",
    )

    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run()
        if args.command == "sandbox":
            return _sandbox(args)
        if args.command == "lex":
            return _lex(args)
        if args.command == "state":
            return _state(args)
        if args.command == "nlu":
            return _nlu(args)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"chatops: {problem}", file=sys.stderr)
        return 2
    except StateError as exc:
        print(f"chatops: {exc}", file=sys.stderr)
        return 2
    except PolicyError as exc:
        print(f"chatops: CHATOPS_POLICY_FILE: {exc}", file=sys.stderr)
        return 2
    except RegistryError as exc:  # a handler and lex/bot.toml disagree: a developer's mistake
        print(f"chatops: intent handlers do not match lex/bot.toml: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


def _run() -> int:
    from bot.app import create
    from bot.logs import setup_logging

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    try:
        chatops = create(settings)
    except Exception as exc:  # Bolt checks the token with auth.test when it starts
        from slack_bolt.error import BoltError
        from slack_sdk.errors import SlackApiError

        if isinstance(exc, OSError):  # Slack (or the stand-in) cannot be reached
            where = settings.slack_api_url or "slack.com"
            print(f"chatops: could not reach Slack at {where} ({exc})", file=sys.stderr)
            return 2
        if not isinstance(exc, BoltError | SlackApiError):
            raise
        reason = exc.response.get("error", "") if isinstance(exc, SlackApiError) else str(exc)

        print(
            f"chatops: Slack did not accept SLACK_BOT_TOKEN ({reason or 'auth.test failed'})",
            file=sys.stderr,
        )
        return 2
    log = logging.getLogger("chatops")
    # SIGTERM (docker stop, a rolling deploy) ends the server loop like Ctrl-C: no new work is
    # taken, what is in flight finishes, leases end, then the process exits.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    health = HealthCheck(chatops)
    try:
        if settings.socket_mode:
            from bot.slack.bolt import socket_mode_handler
            from bot.slack.http import serve_health

            serve_health(settings.port, health)
            log.info("starting in Socket Mode (health on port %d, /healthz)", settings.port)
            app_token = settings.slack_app_token
            assert app_token is not None  # that is what socket_mode means
            socket_mode_handler(chatops.app, app_token.get_secret_value()).start()
        else:
            from bot.slack.http import serve

            log.info("listening for Slack on port %d (/slack/events, /healthz)", settings.port)
            secret = settings.slack_signing_secret.get_secret_value()  # type: ignore[union-attr]
            from bot.slack.acks import AckProcessError

            try:
                serve(
                    chatops.app,
                    secret,
                    settings.port,
                    health=health,
                    ack_process=settings.ack_process,
                    work_nice=settings.work_nice,
                    log_level=settings.log_level,
                    log_format=settings.log_format,
                )
            except AckProcessError as exc:
                print(f"chatops: {exc}", file=sys.stderr)
                return 1
    except (KeyboardInterrupt, Stopping):
        log.info("stopping: finishing the work in flight")
    finally:
        chatops.close()
        log.info("stopped")
    return 0


class Stopping(BaseException):
    """SIGTERM arrived. Not an Exception: raised wherever the main thread happens to be (in
    ack-process mode, often inside a listener), it must not be caught and logged there as
    a failed request by the handlers that keep one bad request from stopping the bot."""


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise Stopping()


class HealthCheck:
    """What /healthz reports: the state backend answers and Slack accepts the token
    (asked at most once a minute)."""

    def __init__(self, chatops: Any) -> None:
        self.chatops = chatops
        self._slack_checked = 0.0
        self._slack_ok = True

    def __call__(self) -> tuple[bool, str]:
        import time

        problems = []
        try:
            self.chatops.state.schedules_version()
        except Exception as exc:
            problems.append(f"state: {type(exc).__name__}")
        if time.monotonic() - self._slack_checked > 60:
            self._slack_checked = time.monotonic()
            try:
                self._slack_ok = bool(self.chatops.app.client.auth_test().get("ok"))
            except Exception:
                self._slack_ok = False
        if not self._slack_ok:
            problems.append("slack: unreachable or token refused")
        return (not problems, "; ".join(problems) or "ok")


def _sandbox(args: argparse.Namespace) -> int:
    import importlib.util

    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("bot.sandbox") is None:
        print(
            "chatops: the sandbox is not installed here; install it with "
            "pip install 'mlops-chatops[sandbox]' (from a checkout: pip install -e '.[sandbox]')",
            file=sys.stderr,
        )
        return 2
    from bot.logs import setup_logging
    from bot.sandbox import Sandbox
    from bot.sandbox.console import Console

    setup_logging("INFO" if args.verbose else "WARNING", "text")
    if args.speed <= 0:
        print("chatops: --speed must be more than 0", file=sys.stderr)
        return 2
    # A script is read a line at a time, each turn played once the bot has answered the one
    # before, so a line may use a name the bot has just generated ($LAST_JOB).
    script: TextIO | None = None
    if args.script is not None:
        try:
            script = args.script.open(encoding="utf-8")
        except OSError as exc:
            print(f"chatops: cannot read {args.script}: {exc.strerror}", file=sys.stderr)
            return 2
    elif not sys.stdin.isatty():
        script = sys.stdin
    interactive = script is None
    if not args.json:
        print(
            "Starting the sandbox: moto AWS with a demo account, local Lex, local Slack…",
            file=sys.stderr if not interactive else sys.stdout,
            flush=True,
        )
    import tempfile

    files = Path(tempfile.mkdtemp(prefix="chatops-sandbox-files-"))
    # Charts and CSV lists the bot uploads are kept after the sandbox stops, to be opened.
    print(
        f"Files the bot uploads are saved in {files}",
        file=sys.stderr if not interactive or args.json else sys.stdout,
        flush=True,
    )
    with Sandbox(scale=1.0 / args.speed, files_dir=files) as sandbox:
        console = Console(sandbox, as_json=args.json)
        if script is None:
            return console.interactive()
        with script:
            return console.run(script)


def _state(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from bot.state.dynamodb import create_table
    from intents.clients import AwsClients

    settings = load_settings()
    settings.require("dynamodb_table")
    assert settings.dynamodb_table is not None
    aws = AwsClients(settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    try:
        created = create_table(aws.dynamodb, settings.dynamodb_table)
    except (ClientError, BotoCoreError) as exc:
        return _aws_failed(exc)
    verb = "created" if created else "already exists;"
    print(f"DynamoDB table {settings.dynamodb_table} {verb} TTL on 'ttl' is on.")
    return 0


def _lex(args: argparse.Namespace) -> int:
    from lex.definition import load_definition

    definition = load_definition()
    if args.lex_command == "export":
        from lex.export import write_archive

        path = write_archive(definition, args.output)
        print(
            f"wrote {path} ({len(definition.intents)} intents, {len(definition.slot_types)} slot types)"
        )
        return 0
    from intents.clients import AwsClients
    from lex.deploy import DeployError, deploy

    settings = load_settings()
    aws = AwsClients(settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        result = deploy(
            definition,
            aws.lex_models,
            aws.iam,
            alias_name=args.alias,
            timeout=args.timeout,
            log=print,
        )
    except DeployError as exc:
        print(f"chatops: {exc}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        return _aws_failed(exc)
    print(f"CHATOPS_LEX_BOT_ID={result.bot_id}")
    print(f"CHATOPS_LEX_BOT_ALIAS_ID={result.alias_id}")
    return 0


def _nlu(args: argparse.Namespace) -> int:
    from bot.slack.text import to_plain
    from lex.evaluate import evaluate, format_report, load_examples, part
    from lex.local import LocalLexRuntime
    from lex.text import normalize

    def as_in_production(text: str) -> str:  # what the gate hands to language
        return normalize(to_plain(text))

    if args.nlu_command in ("train", "crossval"):
        return _nlu_learning(args, as_in_production)

    try:
        examples = load_examples(args.file)
    except (OSError, ValueError) as exc:
        print(f"chatops: {exc}", file=sys.stderr)
        return 2
    if args.part:
        examples = [e for e in examples if part(e) == args.part]
    local = LocalLexRuntime()
    if args.lex:
        from intents.clients import AwsClients

        settings = load_settings()
        settings.require("lex_bot_id", "lex_bot_alias_id")
        report = evaluate(
            AwsClients(settings.aws_region).lex_runtime,
            examples,
            local.definition,
            bot_id=str(settings.lex_bot_id),
            alias_id=str(settings.lex_bot_alias_id),
            locale_id=settings.lex_locale_id,
            prepare=as_in_production,
        )
    else:
        report = evaluate(local, examples, local.definition, prepare=as_in_production)
    if args.predictions:
        with args.predictions.open("w", encoding="utf-8") as out:
            for row in report.predictions:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.json:
        data = report.as_json()
        data.pop("errors")
        print(json.dumps(data))
    else:
        print(format_report(report, show_errors=args.errors))
    return 0


def _nlu_learning(args: argparse.Namespace, prepare: Callable[[str], str]) -> int:
    """`nlu train` and `nlu crossval` (build time: they need numpy and scipy)."""
    from lex import train
    from lex.definition import load_definition
    from lex.model import MODEL_PATH, load_model

    definition = load_definition()
    if args.nlu_command == "train":
        current = load_model()
        digest = train.inputs_digest()
        if args.check:
            fresh = current is not None and current.inputs == digest
            print("lex/model.toml is up to date" if fresh else "lex/model.toml is stale")
            return 0 if fresh else 1
        model = train.train(definition, prepare=prepare)
        MODEL_PATH.write_text(model.dumps(), encoding="utf-8")
        print(
            f"wrote {MODEL_PATH.name}: {len(model.classes)} intents, "
            f"{len(model.weights)} features, inputs {digest[:12]}"
        )
        return 0
    files = args.files or train.training_files()
    try:
        sets = train.load_sets(files)
    except (OSError, ValueError) as exc:
        print(f"chatops: {exc}", file=sys.stderr)
        return 2
    if len(sets) < 2:
        print("chatops: cross-validation needs at least two files", file=sys.stderr)
        return 2
    summary = train.cross_validate(
        definition, sets, prepare=prepare, learned=not args.baseline
    ).summary()
    if args.json:
        print(json.dumps(summary))
        return 0
    print(
        f"{'held-out set':<16}{'n':>5}{'accuracy':>10}{'slot F1':>9}{'wrong mut.':>12}{'mut. FP':>9}"
    )
    for name, f in summary["folds"].items():
        print(
            f"{name:<16}{f['n']:>5}{f['intent_accuracy']:>10.3f}{f['slot_f1']:>9.3f}"
            f"{f['wrong_mutating']:>12}{f['mutating_false_positives']:>9}"
        )
    for row in ("mean", "worst"):
        f = summary[row]
        print(
            f"{row:<16}{'':>5}{f['intent_accuracy']:>10.3f}{f['slot_f1']:>9.3f}"
            f"{f['wrong_mutating']:>12}{f['mutating_false_positives']:>9}"
        )
    slots = ", ".join(f"{k} {v:.2f}" for k, v in summary["slot_f1_by_slot"].items())
    print(f"slot F1 by slot over all folds: {slots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _aws_failed(exc: Exception) -> int:
    """One line for an AWS refusal (ClientError) or an unreachable AWS (BotoCoreError),
    and the exit status."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        print(
            f"chatops: AWS refused {exc.operation_name}: {error.get('Code')}: {error.get('Message')}",
            file=sys.stderr,
        )
    else:
        print(f"chatops: could not reach AWS: {exc}", file=sys.stderr)
    return 1
