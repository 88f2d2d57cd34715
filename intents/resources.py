"""SageMaker resources by name: validation, lookups with 'did you mean', console links."""

from __future__ import annotations

import difflib
import hashlib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from intents.aws import is_not_found, paginate
from intents.base import Approved, Request
from intents.errors import InvalidInput, NotFound
from intents.reply import code

if TYPE_CHECKING:
    from intents.deps import Deps

NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_CONSOLE = {"jobs": "jobs", "automl": "automl-jobs", "endpoints": "endpoints", "models": "models"}


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


def describe(deps: Deps, kind: str, name: str) -> dict[str, Any]:
    """describe_<kind>, turning 'not found' into a NotFound with close names as a hint."""
    call, arg, list_call, key, name_key, listing, what = {
        "endpoint": (
            "describe_endpoint",
            "EndpointName",
            "list_endpoints",
            "Endpoints",
            "EndpointName",
            "are my endpoints healthy",
            "endpoint",
        ),
        "training": (
            "describe_training_job",
            "TrainingJobName",
            "list_training_jobs",
            "TrainingJobSummaries",
            "TrainingJobName",
            "training status",
            "training job",
        ),
        "model": (
            "describe_model",
            "ModelName",
            "list_models",
            "Models",
            "ModelName",
            "list jobs",
            "model",
        ),
    }[kind]
    try:
        return dict(getattr(deps.aws.sagemaker, call)(**{arg: name}))
    except ClientError as exc:
        if not is_not_found(exc):
            raise
    names = [item[name_key] for item in paginate(deps.aws.sagemaker, list_call, key, limit=500)]
    raise NotFound(f"There is no {what} named {name}.", hint=_suggest(names, name, listing))


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


def job_name(prefix: str, request: Request, *, max_len: int = 63) -> str:
    """'<prefix>-<yyyymmdd-hhmmss>-<4 hex>', derived from the Slack delivery: unique,
    readable, and the same for a repeated delivery of the same message."""
    short = hashlib.sha256(request.origin_key.encode()).hexdigest()[:4]
    suffix = f"-{request_time(request):%Y%m%d-%H%M%S}-{short}"
    return prefix[: max_len - len(suffix)].rstrip("-") + suffix


def tags(approved: Approved) -> list[dict[str, str]]:
    """Who asked, who approved, where, under which request: on every resource the bot creates."""
    values = {
        "chatops:requested-by": approved.requester,
        "chatops:approved-by": approved.approver,
        "chatops:channel": approved.channel,
        "chatops:request-id": approved.request_id,
        "chatops:plan": approved.plan_id,
    }
    return [{"Key": k, "Value": v} for k, v in values.items()]


def vpc_config(deps: Deps) -> dict[str, Any]:
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
