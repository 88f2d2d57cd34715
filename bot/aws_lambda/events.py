"""What a Lambda invocation is, read from the event's shape alone (standard library only,
so an event that is none of ours costs no import).

- an HTTP request from Slack: API Gateway HTTP API (payload 2.0), REST API (1.0) or a
  function URL, or Bolt's own re-invocation of one for a lazy listener;
- an EventBridge event of a SageMaker state change;
- EventBridge Scheduler firing a report schedule (the input ``bot.aws_lambda.schedules``
  puts on it) or the periodic sweep (the template's input);
- anything else, which is logged by its shape (never its values) and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# EventBridge detail-type -> (the bot's follow kind, the detail's name field, its status
# field). The detail-types and fields are SageMaker's own, as documented in "Events that
# Amazon SageMaker AI sends to Amazon EventBridge"
# (https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html);
# a real-shaped sample of each is in tests/events/aws/sagemaker_*.json. SageMaker sends no
# event for Autopilot (AutoML) or compilation jobs: an Autopilot job's own training and
# processing jobs name it (AutoMLJobArn) when their detail carries it, and the sweep polls.
SAGEMAKER: dict[str, tuple[str, str, str]] = {
    "SageMaker Training Job State Change": ("training", "TrainingJobName", "TrainingJobStatus"),
    "SageMaker Processing Job State Change": (
        "processing",
        "ProcessingJobName",
        "ProcessingJobStatus",
    ),
    "SageMaker Transform Job State Change": ("transform", "TransformJobName", "TransformJobStatus"),
    "SageMaker HyperParameter Tuning Job State Change": (
        "tuning",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobStatus",
    ),
    "SageMaker Endpoint State Change": ("endpoint", "EndpointName", "EndpointStatus"),
}
AUTOPILOT = "autopilot"
# The inputs the bot's own schedules carry (bot.aws_lambda.schedules, deploy/template.yaml).
MARK = "chatops"
SCHEDULE, SWEEP = "schedule", "sweep"
_LONGEST_NAME = 256


@dataclass(frozen=True)
class Http:
    """A Slack request through API Gateway or a function URL (Bolt reads the rest)."""


@dataclass(frozen=True)
class SageMakerChange:
    """A SageMaker resource changed state: check the bot's follows of these (kind, name)."""

    detail_type: str
    status: str
    follows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ScheduleFire:
    schedule_id: str
    scheduled: datetime | None  # the fire's scheduled time, when the input carries it


@dataclass(frozen=True)
class Sweep:
    """Periodic: owed posts, what a crashed invocation left, due follows, schedules."""


@dataclass(frozen=True)
class Unknown:
    why: str


Event = Http | SageMakerChange | ScheduleFire | Sweep | Unknown


def classify(event: object) -> Event:
    """What *event* is; :class:`Unknown` (with a reason that names no value) otherwise."""
    if not isinstance(event, Mapping):
        return Unknown(f"not an object ({type(event).__name__})")
    if "requestContext" in event:
        return _http(event)
    if event.get("source") == "aws.sagemaker":
        return _sagemaker(event)
    mark = event.get(MARK)
    if mark == SCHEDULE:
        return _schedule(event)
    if mark == SWEEP:
        return Sweep()
    return Unknown(f"an event of unknown shape (keys: {shape(event)})")


def shape(event: Mapping[str, Any]) -> str:
    """The top-level keys of an event, for a log line: never its values (they may carry a
    token or what someone wrote)."""
    keys = sorted(str(k)[:40] for k in event)[:12]
    return ", ".join(keys) + (", …" if len(event) > 12 else "")


def _http(event: Mapping[str, Any]) -> Event:
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        return Unknown("an HTTP event without a request context")
    http = context.get("http")
    method = http.get("method") if isinstance(http, Mapping) else context.get("httpMethod")
    if not isinstance(method, str):
        return Unknown("an HTTP event without a method")
    body = event.get("body")
    if body is not None and not isinstance(body, str):
        return Unknown("an HTTP event whose body is not text")
    if not isinstance(event.get("headers") or {}, Mapping):
        return Unknown("an HTTP event whose headers are not an object")
    return Http()


def _name(value: object) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= _LONGEST_NAME and value.isprintable():
        return value
    return None


def _sagemaker(event: Mapping[str, Any]) -> Event:
    detail_type = event.get("detail-type")
    if not isinstance(detail_type, str) or detail_type not in SAGEMAKER:
        return Unknown("a SageMaker event of a type the bot does not follow")
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        return Unknown(f"a {detail_type} event without a detail")
    kind, name_field, status_field = SAGEMAKER[detail_type]
    name = _name(detail.get(name_field))
    if name is None:
        return Unknown(f"a {detail_type} event without {name_field}")
    follows = [(kind, name)]
    # An Autopilot job's own jobs name it; its follow is checked too (status from the API).
    automl = _name(detail.get("AutoMLJobArn"))
    if automl and "automl-job/" in automl:
        follows.append((AUTOPILOT, automl.rsplit("automl-job/", 1)[1]))
    status = detail.get(status_field)
    return SageMakerChange(
        detail_type, str(status)[:64] if isinstance(status, str) else "", tuple(follows)
    )


def _schedule(event: Mapping[str, Any]) -> Event:
    schedule_id = _name(event.get("schedule_id"))
    if schedule_id is None:
        return Unknown("a schedule event without a schedule id")
    return ScheduleFire(schedule_id, scheduled_time(event.get("scheduled_time")))


def scheduled_time(value: object) -> datetime | None:
    """EventBridge Scheduler's ``<aws.scheduler.scheduled-time>`` (ISO 8601, UTC), or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
