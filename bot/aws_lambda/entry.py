"""The function's handler: what the event is, then the bot's part for it. Never raises.

The bot is built on the first invocation that needs it (settings from the environment,
the Slack app, the state table) and kept for the next ones the same execution environment
gets; an event that is none of ours is logged and ignored without building anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.aws_lambda.events import Http, SageMakerChange, ScheduleFire, Sweep, Unknown, classify

if TYPE_CHECKING:
    from bot.aws_lambda.runtime import LambdaBot

log = logging.getLogger(__name__)
UNAVAILABLE = {"statusCode": 503, "body": "", "headers": {}}


class Entry:
    """A Lambda handler over a bot built once, on first use, by *build*."""

    def __init__(self, build: Callable[[], LambdaBot]) -> None:
        self._build = build
        self._bot: LambdaBot | None = None

    def bot(self) -> LambdaBot:
        if self._bot is None:
            self._bot = self._build()
        return self._bot

    def __call__(self, event: Any, context: Any) -> dict[str, Any] | None:
        kind = classify(event)
        if isinstance(kind, Unknown):
            log.warning("ignored %s", kind.why)
            return None
        try:
            bot = self.bot()
        except Exception as exc:
            # Settings, the state table or Slack's token: the log says which, once per try.
            _log_start_failure(exc)
            return UNAVAILABLE if isinstance(kind, Http) else None
        bot.seen(context)
        try:
            if isinstance(kind, Http):
                return bot.http(event, context)
            if isinstance(kind, SageMakerChange):
                return bot.sagemaker(kind)
            if isinstance(kind, ScheduleFire):
                return bot.schedule(kind.schedule_id, kind.scheduled)
            if isinstance(kind, Sweep):
                return bot.sweep()
        except Exception:
            log.exception("could not handle a %s event", type(kind).__name__)
            return UNAVAILABLE if isinstance(kind, Http) else None
        return None  # pragma: no cover (classify returns one of the above)


def _log_start_failure(exc: Exception) -> None:
    from bot.settings import SettingsError

    if isinstance(exc, SettingsError):
        for problem in exc.problems:
            log.error("cannot start: %s", problem)
    else:
        log.error("cannot start: %s", type(exc).__name__, exc_info=exc)


def from_environment() -> LambdaBot:
    """The bot as the function's environment configures it (deploy/template.yaml)."""
    from bot.aws_lambda.runtime import LambdaBot
    from bot.logs import setup_logging
    from bot.settings import load_settings

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    return LambdaBot.build(settings)


handler = Entry(from_environment)
