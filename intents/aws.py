"""Small helpers around boto3 used by every handler: pagination and AWS errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from intents.errors import AwsProblem, NotAvailable, NotFound, UserError

THROTTLED = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "SlowDown",
    "LimitExceededException",
}
DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "AuthFailure",
}


def paginate(
    client: Any, operation: str, key: str, *, limit: int | None = None, **kwargs: Any
) -> Iterator[Any]:
    """Every item of a listing, across pages (up to *limit* items)."""
    count = 0
    for page in client.get_paginator(operation).paginate(**kwargs):
        for item in page.get(key, ()):
            yield item
            count += 1
            if limit is not None and count >= limit:
                return


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_not_found(exc: ClientError) -> bool:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", "")).lower()
    return code in (
        "ResourceNotFound",
        "ResourceNotFoundException",
        "NoSuchKey",
        "NoSuchBucket",
        "NotFoundException",
    ) or (
        code == "ValidationException"
        and ("could not find" in message or "does not exist" in message)
    )


def translate(exc: BaseException, *, action: str = "") -> UserError | None:
    """An AWS failure the user can act on → a UserError; None means 'a bug, log it'."""
    what = f" ({action})" if action else ""
    if isinstance(exc, NotImplementedError):  # moto, in-process: a call it does not have
        return NotAvailable(
            f"{action or 'This call'} is not available here (the offline sandbox does not have it)."
        )
    if isinstance(exc, ClientError):
        code = error_code(exc)
        operation = getattr(exc, "operation_name", "") or action
        if code in THROTTLED:
            return AwsProblem(
                f"AWS is throttling requests right now{what}.", hint="Try again in a minute."
            )
        if code in DENIED:
            return AwsProblem(
                f"The bot's AWS role is not allowed to call {operation or 'this API'} (access denied).",
                hint="An admin can add the permission; the README lists the IAM policy the bot needs.",
            )
        if code in ("UnknownOperationException", "InvalidAction", "NotImplemented", "501"):
            return NotAvailable(
                f"{operation or 'This call'} is not available here"
                " (the offline sandbox does not have it)."
            )
        if is_not_found(exc):
            return NotFound(str(exc.response.get("Error", {}).get("Message", "Not found.")))
        return None
    if isinstance(exc, EndpointConnectionError):
        return AwsProblem("AWS could not be reached.", hint="Check the network and try again.")
    if isinstance(exc, BotoCoreError) and "credentials" in type(exc).__name__.lower():
        return AwsProblem("The bot has no AWS credentials.", hint="See the README's AWS section.")
    return None
