"""Small helpers around boto3 used by every handler: pagination and AWS errors."""

from __future__ import annotations

import contextvars
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from intents.errors import AwsProblem, NotAvailable, NotFound, UserError
from intents.reply import Md, md

if TYPE_CHECKING:
    from types_boto3_sagemaker.type_defs import PaginatorConfigTypeDef

log = logging.getLogger(__name__)
P = TypeVar("P")
T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The items a listing found; not *complete* when AWS kept throttling part-way through."""

    found: list[T] = field(default_factory=list)
    complete: bool = True


def listing(found: Iterable[T], *, limit: int | None = None) -> Listing[T]:
    """A long listing's items (*found* is :func:`items` over a paginator), up to *limit*.

    The client retries a throttled page with backoff (botocore's standard mode); if AWS
    still throttles after some items came back, those items are the answer, marked
    incomplete, so the reply can say its data is partial. Throttled before anything was
    found, or any other error, it raises as a single call would.
    """
    got: list[T] = []
    try:
        for item in found:
            got.append(item)
            if limit is not None and len(got) >= limit:
                break
    except ClientError as exc:
        if error_code(exc) not in THROTTLED or not got:
            raise
        log.warning("AWS kept throttling a listing after %d items; answering with those", len(got))
        return Listing(got, complete=False)
    return Listing(got)


def partial_note(what: str, count: int) -> Md:
    """What a reply says when a listing of *what* (plural) stopped after *count* items."""
    return md(
        ":warning: Partial data: AWS kept throttling the {w} listing, so only the first {n} {w} "
        "are included. Ask again in a minute for all of them.",
        w=what,
        n=f"{count:,}",
    )


# Per-resource calls that no batch, filter or listing can replace run a few at a time, on
# threads shared by every request (so AWS never sees more than this many from the bot).
AWS_WORKERS = 4
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def concurrently(call: Callable[[T], R], values: Iterable[T]) -> list[R]:
    """``[call(v) for v in values]``, AWS_WORKERS at a time, in order; the first error is raised."""
    todo = list(values)
    if len(todo) < 2:
        return [call(v) for v in todo]
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(AWS_WORKERS, thread_name_prefix="aws")
    # Each call runs in a copy of the caller's context, so its logs keep the request id.
    futures = [_pool.submit(contextvars.copy_context().run, call, v) for v in todo]
    return [f.result() for f in futures]


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def summarize(exc: ClientError) -> str:
    """What AWS said, short and safe to show in a channel: the error code and the first
    sentence of its message, at most 160 characters. The whole message goes to the log
    (with the request id), never to the channel."""
    code = error_code(exc)
    message = " ".join(str(exc.response.get("Error", {}).get("Message", "")).split())
    log.info("AWS answered %s to %s: %s", code, getattr(exc, "operation_name", "?"), message)
    first = re.split(r"(?<=[.!?])\s", message, maxsplit=1)[0] if message else ""
    if len(first) > 160:
        first = first[:159].rsplit(" ", 1)[0] + "…"
    return f"{code}: {first}" if first else code


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
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if code in ("UnknownOperationException", "InvalidAction", "NotImplemented", "501") or (
            code == "404" and "not yet implemented" in message.lower()  # moto, a whole service
        ):
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
