"""Dependencies handed to every handler: settings, AWS clients, state, the catalog, a clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from intents.base import Approved, Attachment
from intents.clients import AwsClients
from intents.permissions import Everyone, Permissions
from intents.registry import Registry
from intents.settings import HandlerSettings
from intents.state import HandlerState

FetchFile = Callable[[Attachment, int], bytes]


@dataclass(frozen=True)
class Deps:
    settings: HandlerSettings
    aws: AwsClients
    state: HandlerState
    registry: Registry
    clock: Callable[[], float] = field(default=time.time)
    # True in the offline sandbox: handlers may say what the sandbox cannot do.
    sandbox: bool = False
    # Downloads a file attached to a message, at most N bytes (None where attachments can't be read).
    fetch_file: FetchFile | None = None
    # What the asker may do (Help lists only that); everyone everything without a policy.
    permissions: Permissions = field(default_factory=Everyone)

    def follow_approved(self, approved: Approved, kind: str, name: str) -> bool:
        """Follow what an approved change started, in the thread of its card: status
        changes are posted there. False when it was followed already."""
        return self.state.follow(
            kind,
            name,
            channel=approved.channel,
            thread_ts=approved.thread_ts,
            request_id=approved.request_id,
            interval=self.settings.follow_min_seconds,
            now=self.clock(),
        )
