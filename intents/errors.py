"""Errors whose message is safe to show in a channel ("known business reasons").

Anything else a handler raises is a bug: the gate logs its traceback and the user
gets a short, non-leaking message with a request id.
"""

from __future__ import annotations


class UserError(Exception):
    """An error whose message is safe and useful to show in the channel."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or type(self).hint

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidInput(UserError):
    pass


class NotFound(UserError):
    pass


class Refused(UserError):
    """A guardrail or a permission said no."""


class NotAvailable(UserError):
    """The service or call is not available here (e.g. in the offline sandbox)."""


class AwsProblem(UserError):
    """AWS said no for a reason the user can act on (throttling, access denied)."""
