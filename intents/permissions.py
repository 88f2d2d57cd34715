"""What a handler may ask of the application's permission policy.

Help lists only what the asker may do, and the audit log shows more to admins; the
policy itself (who may ask for what, where) belongs to the application.
"""

from __future__ import annotations

from typing import Protocol

from intents.base import Request


class Permissions(Protocol):
    def may_ask(self, request: Request, intent: str) -> bool:
        """Whether the person behind *request* may ask for *intent* where they are."""
        ...

    def is_admin(self, user: str) -> bool:
        """Whether *user* may see every channel's audit log."""
        ...


class Everyone:
    """No policy: everyone may ask for everything; nobody is an admin."""

    def may_ask(self, request: Request, intent: str) -> bool:
        return True

    def is_admin(self, user: str) -> bool:
        return False
