"""Dependencies handed to every handler: settings, AWS clients, state, the catalog, a clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from intents.base import Attachment
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
