"""Downloads files people attach to their messages (images, recordings) for the AI demos.

The bot token goes only to Slack's own file hosts, over HTTPS (or to the local
stand-in in the sandbox). Redirects are not followed with the token: a redirect to
another Slack file host is fetched without it, anything else is refused. Downloads
stop at the size limit.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlparse

from intents.base import Attachment
from intents.errors import InvalidInput

SLACK_FILE_HOSTS = {"files.slack.com", "files-edge.slack.com", "files-origin.slack.com"}
MAX_REDIRECTS = 3


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # surface the 3xx to the caller, which decides


_OPENER = urllib.request.build_opener(_NoRedirects)


class SlackFiles:
    def __init__(self, token: str, *, extra_hosts: set[str] | None = None) -> None:
        self._token = token
        self._hosts = SLACK_FILE_HOSTS | (extra_hosts or set())

    def _allowed(self, url: str) -> bool:
        parts = urlparse(url)
        local = parts.hostname in self._hosts - SLACK_FILE_HOSTS  # the sandbox's stand-in
        return parts.hostname in self._hosts and (parts.scheme == "https" or local)

    def __call__(self, file: Attachment, max_bytes: int) -> bytes:
        url = file.url
        if not self._allowed(url):
            host = urlparse(url).hostname or "there"
            raise InvalidInput(f"I can't download {file.name} from {host}.")
        headers = {"Authorization": f"Bearer {self._token}"}
        for _ in range(MAX_REDIRECTS + 1):
            try:
                with _OPENER.open(
                    urllib.request.Request(url, headers=headers), timeout=30
                ) as response:
                    data: bytes = response.read(max_bytes + 1)
                break
            except urllib.error.HTTPError as exc:
                if exc.code not in (301, 302, 303, 307, 308) or not exc.headers.get("Location"):
                    raise InvalidInput(
                        f"Slack would not give me {file.name} (HTTP {exc.code})."
                    ) from None
                url = urljoin(url, exc.headers["Location"])
                if not self._allowed(url):
                    raise InvalidInput(
                        f"I can't download {file.name}: Slack sent me elsewhere."
                    ) from None
                headers = {}  # the token is never sent on a redirect
        else:
            raise InvalidInput(f"I can't download {file.name}: too many redirects.")
        if len(data) > max_bytes:
            raise InvalidInput(
                f"{file.name} is too large (more than {max_bytes / 1_048_576:.0f} MB)."
            )
        return data
