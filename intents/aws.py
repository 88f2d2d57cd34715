"""Small helpers around boto3 used by every handler: pagination and AWS errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from intents.errors import AwsProblem, NotAvailable, NotFound, UserError

if TYPE_CHECKING:
    from types_boto3_sagemaker.type_defs import PaginatorConfigTypeDef

P = TypeVar("P")
T = TypeVar("T")

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


# The largest page each listing may ask for (MaxResults' maximum in the service model).
# Asked for nothing, AWS answers 10 at a time (SageMaker) or 100 (Budgets): 1,000
# endpoints would take 101 calls instead of 10.
SAGEMAKER_PAGE = 100
AUTOML_CANDIDATES_PAGE = 300
BUDGETS_PAGE = 1000


def page_size(maximum: int, *, limit: int | None = None) -> PaginatorConfigTypeDef:
    """A paginator's ``PaginationConfig`` asking for the largest page the API allows,
    or for just *limit* items when the caller reads no more than that."""
    return {"PageSize": maximum if limit is None else max(1, min(maximum, limit))}


def items(
    pages: Iterable[P], extract: Callable[[P], Iterable[T]], *, limit: int | None = None
) -> Iterator[T]:
    """Every item of a listing, across pages (up to *limit* items).

    *pages* is a typed paginator's pages (``client.get_paginator(...).paginate(...)``),
    so mypy checks the operation and its parameters; *extract* picks the items of a page.
    """
    found = (item for page in pages for item in extract(page))
    return found if limit is None else islice(found, limit)


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
