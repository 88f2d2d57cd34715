"""Slack request signatures, checked before anything reads the body.

Every HTTP request to the bot must carry Slack's ``X-Slack-Signature`` (v0, an
HMAC-SHA256 of ``v0:<timestamp>:<body>`` with the signing secret) and a fresh
``X-Slack-Request-Timestamp``. A request that fails is answered 401 (or 413 when
too large) before any parsing, with one short WARNING line and no body in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
MAX_AGE_SECONDS = 5 * 60  # Slack's own replay window
MAX_BODY_BYTES = 1024 * 1024  # far above any real Slack payload
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")


class SlackVerifier:
    def __init__(self, signing_secret: str, *, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._clock = clock

    def problem(self, timestamp: str | None, signature: str | None, body: bytes) -> str | None:
        """Why the request is not Slack's (a few words), or None when it is."""
        if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
            return "missing or malformed timestamp"
        if abs(self._clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return "stale timestamp"
        if not signature or not _SIGNATURE.match(signature):
            return "missing or malformed signature"
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "bad signature"
        return None


def reject(reason: str, *, path: str, size: int, source: str = "") -> None:
    """The one log line a rejected request gets: never its body, headers or tokens."""
    log.warning(
        "rejected a request to %s (%d bytes%s): %s",
        path,
        size,
        f" from {source}" if source else "",
        reason,
    )
