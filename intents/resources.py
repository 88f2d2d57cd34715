"""SageMaker resources by name: validation, lookups with 'did you mean', console links."""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import quote

from botocore.exceptions import ClientError

from intents.aws import DENIED, SAGEMAKER_PAGE, error_code, is_not_found, items, page_size
from intents.base import Approved, Request
from intents.errors import InvalidInput, NotFound
from intents.reply import code

if TYPE_CHECKING:
    from types_boto3_sagemaker import SageMakerClient
    from types_boto3_sagemaker.literals import ResourceTypeType
    from types_boto3_sagemaker.type_defs import SearchRecordTypeDef, TagTypeDef, VpcConfigTypeDef

    from intents.deps import Deps

    class VpcKwargs(TypedDict, total=False):
        """The optional ``VpcConfig`` argument of SageMaker's create calls."""

        VpcConfig: VpcConfigTypeDef


log = logging.getLogger(__name__)
NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_CONSOLE = {
    "jobs": "jobs",
    "automl": "automl-jobs",
    "endpoints": "endpoints",
    "models": "models",
    "transform-jobs": "transform-jobs",
}


def check_name(name: str, what: str = "endpoint") -> str:
    if not NAME.match(name):
        raise InvalidInput(
            f"{name[:70]!r} is not a valid {what} name.",
            hint="Names use letters, digits and hyphens, up to 63 characters.",
        )
    return name


def console_url(deps: Deps, kind: str, name: str) -> str:
    region = deps.aws.region
    return (
        f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}"
        f"#/{_CONSOLE[kind]}/{quote(name)}"
    )


def _suggest(names: list[str], name: str, listing: str) -> str:
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        return "Did you mean " + " or ".join(close) + "?"
    return f"Say '{listing}' to see them all." if names else ""


# kind -> (what it is called, what to say to see them all)
_KINDS = {
    "endpoint": ("endpoint", "are my endpoints healthy"),
    "training": ("training job", "training status"),
    "model": ("model", "list jobs"),
}


def describe(deps: Deps, kind: str, name: str) -> dict[str, Any]:
    """describe_<kind>, turning 'not found' into a NotFound with close names as a hint."""
    what, listing = _KINDS[kind]
    sm = deps.aws.sagemaker
    try:
        if kind == "endpoint":
            return dict(sm.describe_endpoint(EndpointName=name))
        if kind == "training":
            return dict(sm.describe_training_job(TrainingJobName=name))
        return dict(sm.describe_model(ModelName=name))
    except ClientError as exc:
        if not is_not_found(exc):
            raise
    names = list(islice(_names(sm, kind), 500))
    raise NotFound(f"There is no {what} named {name}.", hint=_suggest(names, name, listing))


def _names(sm: SageMakerClient, kind: str) -> Iterator[str]:
    """The names of every resource of *kind*, page by page."""
    if kind == "endpoint":
        for endpoint in items(
            sm.get_paginator("list_endpoints").paginate(PaginationConfig=page_size(SAGEMAKER_PAGE)),
            lambda p: p.get("Endpoints", []),
        ):
            yield endpoint["EndpointName"]
    elif kind == "training":
        for job in items(
            sm.get_paginator("list_training_jobs").paginate(
                PaginationConfig=page_size(SAGEMAKER_PAGE)
            ),
            lambda p: p.get("TrainingJobSummaries", []),
        ):
            yield job["TrainingJobName"]
    else:
        for model in items(
            sm.get_paginator("list_models").paginate(PaginationConfig=page_size(SAGEMAKER_PAGE)),
            lambda p: p.get("Models", []),
        ):
            yield model["ModelName"]


# Search cannot be used here: the role may not call it (sagemaker:Search came to the IAM
# policy later than the rest), or the endpoint (an offline stand-in) does not have it.
_NO_SEARCH = {"UnknownOperationException", "InvalidAction", "NotImplemented", "501", "404"}


def search(
    sm: SageMakerClient, resource: ResourceTypeType, prop: str, value: str
) -> list[SearchRecordTypeDef] | None:
    """Every *resource* whose property *prop* equals *value*: one Search listing (100 a page)
    instead of a describe per resource. None when Search cannot be used here."""
    try:
        return list(
            items(
                sm.get_paginator("search").paginate(
                    Resource=resource,
                    SearchExpression={
                        "Filters": [{"Name": prop, "Operator": "Equals", "Value": value}]
                    },
                    PaginationConfig=page_size(SAGEMAKER_PAGE),
                ),
                lambda p: p.get("Results", []),
            )
        )
    except NotImplementedError:  # moto, in-process, without the call
        return None
    except ClientError as exc:
        code = error_code(exc)
        if code not in DENIED and code not in _NO_SEARCH and code != "ValidationException":
            raise
        log.info("cannot search %s by %s (%s); describing one by one instead", resource, prop, code)
        return None


def exists(deps: Deps, kind: str, name: str) -> dict[str, Any] | None:
    try:
        return describe(deps, kind, name)
    except NotFound:
        return None


def request_time(request: Request) -> datetime:
    """When the Slack message was sent (a retried delivery has the same time)."""
    kind, _, rest = request.origin_key.partition(":")
    if kind == "msg":
        try:
            return datetime.fromtimestamp(float(rest.rsplit(":", 1)[-1]), UTC)
        except (ValueError, OverflowError, OSError):
            pass  # not a Slack ts: fall back to when we received it
    return request.received_at


# A name that already carries a date (a job the bot named, or a seeded 'x-20261119-0930'):
# what is derived from it gets no second timestamp.
_STAMPED = re.compile(r"-\d{8}(?:-\d{4,6})?(?:-[0-9a-f]{4})?$")


def job_name(prefix: str, request: Request, *, max_len: int = 63) -> str:
    """'<prefix>-<yyyymmdd-hhmmss>-<4 hex>', derived from the Slack delivery: unique,
    readable, and the same for a repeated delivery of the same message. A prefix that is
    itself such a name (an endpoint for job 'xgboost-20261129-000319-ed78') keeps its one
    timestamp and gets only the 4 hex: 'xgboost-20261129-000319-ed78-e74c'."""
    short = hashlib.sha256(request.origin_key.encode()).hexdigest()[:4]
    if _STAMPED.search(prefix):
        return prefix[: max_len - 5].rstrip("-") + f"-{short}"
    suffix = f"-{request_time(request):%Y%m%d-%H%M%S}-{short}"
    return prefix[: max_len - len(suffix)].rstrip("-") + suffix


MANAGED_TAG = "chatops:managed"
REQUESTED_BY = "chatops:requested-by"
PLAN_TAG = "chatops:plan"


def resource_tags(deps: Deps, arn: str) -> dict[str, str]:
    """A SageMaker resource's tags ({} when they cannot be read: the caller decides)."""
    if not arn:
        return {}
    found: dict[str, str] = {}
    try:
        for page in deps.aws.sagemaker.get_paginator("list_tags").paginate(
            ResourceArn=arn, PaginationConfig={"PageSize": 100}
        ):
            found.update({t["Key"]: t.get("Value", "") for t in page.get("Tags", [])})
    except ClientError:
        return {}
    return found


def made_for(deps: Deps, arn: str, approved: Approved) -> bool:
    """Whether the resource at *arn* was created for this very approval (its plan tag):
    how a re-run after a restart recognises the first run's work."""
    return resource_tags(deps, arn).get(PLAN_TAG) == approved.plan_id


def tags(approved: Approved) -> list[TagTypeDef]:
    """Who asked, who approved, where, under which request: on every resource the bot creates."""
    values = {
        MANAGED_TAG: "true",  # the IAM policy lets the bot change only what carries this tag
        "chatops:requested-by": approved.requester,
        "chatops:approved-by": approved.approver,
        "chatops:channel": approved.channel,
        "chatops:request-id": approved.request_id,
        PLAN_TAG: approved.plan_id,
    }
    return [{"Key": k, "Value": v} for k, v in values.items()]


def vpc_config(deps: Deps) -> VpcKwargs:
    s = deps.settings
    return (
        {"VpcConfig": {"Subnets": s.vpc_subnets, "SecurityGroupIds": s.vpc_security_groups}}
        if s.vpc_subnets and s.vpc_security_groups
        else {}
    )


def security_fields(deps: Deps) -> dict[str, object]:
    s = deps.settings
    return {
        "Encryption": code(s.kms_key_id) if s.kms_key_id else "AWS managed keys",
        "Network": ", ".join(s.vpc_subnets) if s.vpc_subnets else "SageMaker default (no VPC)",
    }
