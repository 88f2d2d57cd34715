"""Logging: every line carries the request id; tokens never reach a log."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SECRETS = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
# A command's response_url lets anyone post as the app for 30 minutes; a legacy
# verification token ("token" in Slack's bodies) is a credential too.
_RESPONSE_URL = re.compile(r"https://hooks\.slack\.com/[A-Za-z0-9/_\-%.]+")
_BODY_TOKEN = re.compile(r"""(\btoken["']?\s*[=:]\s*["']?)[A-Za-z0-9_\-]{6,}""", re.I)


def new_request_id() -> str:
    """A short id users can quote back to us: r-1a2b3c4d."""
    return "r-" + secrets.token_hex(4)


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_context(request_id: str) -> Iterator[str]:
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


def redact(text: str) -> str:
    """The text with Slack tokens, response URLs and body tokens replaced."""
    text = _SECRETS.sub(lambda m: m.group(1)[:5] + "…redacted", text)
    text = _RESPONSE_URL.sub("https://hooks.slack.com/…redacted", text)
    return _BODY_TOKEN.sub(lambda m: m.group(1) + "…redacted", text)


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: object, **kwargs: object) -> logging.LogRecord:
    # Every record, whichever handler prints it, knows the request it belongs to.
    record = _base_factory(*args, **kwargs)
    record.request_id = _request_id.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return redact(json.dumps(data))


def setup_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            _RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that log request bodies at DEBUG would log tokens and user text.
    for noisy in (
        "botocore",
        "boto3",
        "urllib3",
        "slack_sdk",
        "slack_bolt",
        "werkzeug",
        "moto",
        "apscheduler",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # Bolt warns that the token in the environment is unused when it is given a client;
    # that is how the app is built on purpose, so the line is noise at every start.
    bolt = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _NotTokenSkipped) for f in bolt.filters):
        bolt.addFilter(_NotTokenSkipped())


class _NotTokenSkipped(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()
