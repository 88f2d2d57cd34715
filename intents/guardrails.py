"""Guardrails from settings, checked before any confirmation card is shown.

A refusal names the rule (and the setting behind it) and says what would be allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError

from intents.aws import error_code
from intents.errors import InvalidInput, NotFound, Refused
from intents.pricing import Component, known_instance_types
from intents.quantities import count_in, duration_in

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

    from intents.settings import HandlerSettings as Settings

_S3 = re.compile(r"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(/.*)?$")
_INSTANCE = re.compile(
    r"^ml\.[a-z][a-z0-9\-]*\d[a-z0-9\-]*\.(\d*xlarge|large|medium|small|micro|nano|metal)$"
)
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # InvokeEndpoint's limit


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


KeyNeed = Literal["any", "path", "object"]


def parse_s3(uri: str, what: str = "dataset", *, key: KeyNeed = "any") -> S3Uri:
    """An s3:// URI, strictly: a valid bucket name, no user part, no query, no control
    characters; *key* says whether a path inside the bucket ("path") or an object ("object",
    not a folder) is needed."""
    text = uri.strip()
    example = f"Give the {what} as s3://bucket/path, for example s3://my-bucket/train.csv."
    authority = text[5:].split("/", 1)[0] if text.lower().startswith("s3://") else ""
    if "@" in authority or ":" in authority:
        raise InvalidInput(
            f"{text[:80]!r} is not a plain S3 URI: it has a user or port part.", hint=example
        )
    match = _S3.match(text)
    if not match or any(c in text for c in "?#\\") or any(ord(c) < 32 for c in text):
        raise InvalidInput(f"{text[:80]!r} is not an S3 URI.", hint=example)
    parsed = S3Uri(match.group(1), (match.group(2) or "/")[1:])
    if ".." in parsed.key.split("/"):
        raise InvalidInput(f"{text[:80]!r} has '..' in its path.", hint=example)
    if key != "any" and not parsed.key.strip("/"):
        raise InvalidInput(
            f"{text[:80]!r} is a whole bucket; I need a path inside it for the {what}.",
            hint=example,
        )
    if key == "object" and parsed.key.endswith("/"):
        raise InvalidInput(
            f"{text[:80]!r} is a folder; I need one file for the {what}.", hint=example
        )
    return parsed


def check_bucket(uri: S3Uri, settings: Settings, what: str = "data") -> None:
    allowed = settings.allowed_buckets
    if uri.bucket not in allowed:
        raise Refused(
            f"The bucket {uri.bucket} is not allowed for {what} (rule: allowed buckets, "
            "CHATOPS_ALLOWED_BUCKETS).",
            hint=("Allowed: " + ", ".join(allowed) + ".")
            if allowed
            else "No bucket is allowed yet; whoever runs the bot can list some in CHATOPS_ALLOWED_BUCKETS.",
        )


def check_instance_type(instance_type: str, settings: Settings, component: Component) -> str:
    value = instance_type.strip().lower()
    if not value.startswith("ml."):
        value = "ml." + value
    known = known_instance_types("training") | known_instance_types("hosting")
    if not _INSTANCE.match(value) or (
        value not in known and value not in settings.allowed_instance_types
    ):
        raise InvalidInput(
            f"{instance_type[:40]!r} is not a SageMaker {component} instance type.",
            hint="For example " + ", ".join(settings.allowed_instance_types[:4]) + ".",
        )
    if value not in settings.allowed_instance_types:
        raise Refused(
            f"The instance type {value} is not allowed here (rule: allowed instance types, "
            "CHATOPS_ALLOWED_INSTANCE_TYPES).",
            hint="Allowed: " + ", ".join(settings.allowed_instance_types) + ".",
        )
    return value


def check_instance_count(count: int, settings: Settings) -> int:
    if count < 1:
        raise InvalidInput("The instance count must be at least 1.")
    if count > settings.max_instance_count:
        raise Refused(
            f"{count} instances is more than allowed (rule: at most "
            f"{settings.max_instance_count}, CHATOPS_MAX_INSTANCE_COUNT).",
            hint=f"Ask for {settings.max_instance_count} or fewer.",
        )
    return count


def check_runtime(seconds: int, settings: Settings) -> int:
    if seconds <= 0:
        raise InvalidInput("The maximum runtime must be more than zero.")
    if seconds > settings.max_runtime_seconds:
        raise Refused(
            f"A maximum runtime of {seconds / 3600:g} h is longer than allowed (rule: at most "
            f"{settings.max_runtime_hours:g} h, CHATOPS_MAX_RUNTIME_HOURS).",
            hint=f"Ask for {settings.max_runtime_hours:g} h or less.",
        )
    return seconds


_ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/[^\s]+$")
# AWS's own registry accounts beyond the built-in algorithms' (deep learning containers).
AWS_CONTAINER_ACCOUNTS = frozenset({"763104351884"})


def check_image(
    image: str, settings: Settings, *, own_account: str, aws_accounts: set[str]
) -> None:
    """A model's container image must come from Amazon ECR in this account, in AWS's own
    registries, or in an account listed in CHATOPS_ALLOWED_IMAGE_ACCOUNTS."""
    rule = "rule: images from this account or AWS's own, CHATOPS_ALLOWED_IMAGE_ACCOUNTS"
    match = _ECR_IMAGE.match(image.strip())
    if not match:
        raise Refused(
            f"The model's image {image[:120]} is not in Amazon ECR ({rule}).",
            hint="Push the image to ECR in this account first.",
        )
    account = match.group(1)
    trusted = {
        own_account,
        *settings.allowed_image_accounts,
        *aws_accounts,
        *AWS_CONTAINER_ACCOUNTS,
    }
    if account not in trusted:
        raise Refused(
            f"The model's image is in AWS account {account}, which is not trusted ({rule}).",
            hint="Whoever runs the bot can add the account to CHATOPS_ALLOWED_IMAGE_ACCOUNTS.",
        )


def check_kms(settings: Settings) -> None:
    if settings.require_kms and not settings.kms_key_id:
        raise Refused(
            "Jobs must be encrypted with a KMS key here (rule: CHATOPS_REQUIRE_KMS), "
            "but no key is configured.",
            hint="Whoever runs the bot can set CHATOPS_KMS_KEY_ID.",
        )


def instance_count_in(text: str) -> int:
    """The instance count the request names ("2 instances", "instance_count=2"), else 1;
    a count that is there but unreadable is refused, never replaced."""
    found = count_in(text, "instances?|machines?|nodes?|hosts?", "instances", key="instance_count")
    return found.value if found else 1


def runtime_in(text: str) -> int | None:
    """The longest runtime the request names ("for up to 3 hours", "max_runtime=90min",
    "for 2 days"), in seconds; None when it names none. Unreadable or zero is refused."""
    found = duration_in(text)
    return found.value if found else None


def dataset_status(s3: S3Client, uri: S3Uri) -> str:
    """'ok', or why the data cannot be used; access denied means we could not check."""
    try:
        if uri.key and not uri.key.endswith("/"):
            try:
                s3.head_object(Bucket=uri.bucket, Key=uri.key)
                return "ok"
            except ClientError as exc:
                if error_code(exc) not in ("404", "NoSuchKey", "NotFound"):
                    raise
        listing = s3.list_objects_v2(Bucket=uri.bucket, Prefix=uri.key, MaxKeys=1)
        return "ok" if listing.get("KeyCount", 0) else "missing"
    except ClientError as exc:
        code = error_code(exc)
        if code in ("NoSuchBucket",):
            return "missing"
        if code in ("AccessDenied", "403", "AllAccessDisabled"):
            return "unchecked"
        raise


def require_dataset(s3: S3Client, uri: S3Uri) -> bool:
    """Raise when there is certainly nothing at *uri*; False when we could not check."""
    status = dataset_status(s3, uri)
    if status == "missing":
        raise NotFound(f"There is nothing at {uri}.", hint="Check the bucket and the path.")
    return status == "ok"


def first_line(s3: S3Client, uri: S3Uri) -> str | None:
    """The first line of a CSV file (the header, or the first row), read with a small range GET."""
    if not uri.key or uri.key.endswith("/"):
        listing = s3.list_objects_v2(Bucket=uri.bucket, Prefix=uri.key, MaxKeys=5)
        keys = [o["Key"] for o in listing.get("Contents", []) if not o["Key"].endswith("/")]
        if not keys:
            return None
        uri = S3Uri(uri.bucket, keys[0])
    try:
        body = s3.get_object(Bucket=uri.bucket, Key=uri.key, Range="bytes=0-65535")["Body"].read()
    except ClientError:
        return None
    text = body.decode("utf-8", errors="replace")
    return text.splitlines()[0] if text.strip() else None
