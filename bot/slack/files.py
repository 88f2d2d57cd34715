"""Downloads files people attach to their messages (images, recordings) for the AI demos."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlparse

from intents.base import Attachment
from intents.errors import InvalidInput

SLACK_FILE_HOSTS = {"files.slack.com", "files-edge.slack.com"}


class SlackFiles:
    def __init__(self, token: str, *, extra_hosts: set[str] | None = None) -> None:
        self._token = token
        self._hosts = SLACK_FILE_HOSTS | (extra_hosts or set())

    def __call__(self, file: Attachment, max_bytes: int) -> bytes:
        url = urlparse(file.url)
        # The bot token goes only to Slack's own file hosts, over HTTPS (or the local stand-in).
        if url.hostname not in self._hosts or (
            url.scheme != "https" and url.hostname not in ("127.0.0.1",)
        ):
            raise InvalidInput(f"I can't download {file.name} from {url.hostname or 'there'}.")
        request = urllib.request.Request(
            file.url, headers={"Authorization": f"Bearer {self._token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            data: bytes = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidInput(
                f"{file.name} is too large (more than {max_bytes / 1_048_576:.0f} MB)."
            )
        return data
