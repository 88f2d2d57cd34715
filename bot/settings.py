"""The one settings object, validated at start.

Every setting is an environment variable (or a line in a ``.env`` file). Slack's
and AWS's own variables keep their usual names; ours start with ``CHATOPS_``.
Handlers never read ``os.environ``: they get this object through ``Deps``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_GROUP = re.compile(r"^[0-9A-Za-z_.\-]{1,64}$")
_FUNCTION = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_\-]+(:[A-Za-z0-9_\-$]+)?$"
)

CsvList = Annotated[list[str], NoDecode]

DEFAULT_INSTANCE_TYPES = [
    "ml.m5.large",
    "ml.m5.xlarge",
    "ml.m5.2xlarge",
    "ml.m5.4xlarge",
    "ml.c5.xlarge",
    "ml.c5.2xlarge",
    "ml.c5.4xlarge",
    "ml.g4dn.xlarge",
    "ml.g4dn.2xlarge",
    "ml.g5.xlarge",
    "ml.p3.2xlarge",
    "ml.t2.medium",
    "ml.t3.medium",
]


class SettingsError(Exception):
    """Settings are missing or malformed; each line names one variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in re.split(r"[,\s]+", value.strip()) if part]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATOPS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )

    # --- Slack
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"), description="Bot token, xoxb-…"
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET"),
        description="Signing secret of the Slack app (HTTP mode and request verification)",
    )
    slack_app_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN"),
        description="App-level token, xapp-…; when set, the bot uses Socket Mode",
    )
    slack_api_url: str | None = Field(
        None, description="Slack Web API base URL (only for a local stand-in)"
    )
    bot_channels: CsvList = Field(
        default_factory=list,
        description="Channel ids where every message is for the bot (comma separated)",
    )
    port: int = Field(3000, ge=1, le=65535, description="HTTP port in HTTP mode")

    # --- AWS and Lex
    aws_region: str = Field(
        "us-east-1",
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"),
        description="AWS region of SageMaker, Lex and the AI services",
    )
    aws_endpoint_url: str | None = Field(
        None, description="Send every AWS call to this URL (the sandbox's moto server)"
    )
    lex_bot_id: str | None = Field(None, description="Lex V2 bot id (from `chatops lex deploy`)")
    lex_bot_alias_id: str | None = Field(None, description="Lex V2 bot alias id")
    lex_locale_id: str = Field("en_US", description="Lex V2 locale")

    # --- SageMaker
    sagemaker_role_arn: str | None = Field(
        None, description="Execution role passed to training jobs and models"
    )
    output_s3_uri: str | None = Field(
        None, description="Where training output goes, s3://bucket/prefix"
    )
    kms_key_id: str | None = Field(None, description="KMS key for training volumes and output")
    vpc_subnets: CsvList = Field(default_factory=list, description="Subnets for jobs and models")
    vpc_security_groups: CsvList = Field(default_factory=list, description="Security groups")
    default_training_instance: str = Field("ml.m5.xlarge", description="Training instance type")
    default_endpoint_instance: str = Field("ml.m5.large", description="Endpoint instance type")

    # --- Guardrails
    allowed_instance_types: CsvList = Field(
        default_factory=lambda: list(DEFAULT_INSTANCE_TYPES),
        description="Instance types that may be used",
    )
    max_instance_count: int = Field(2, ge=1, le=100, description="Most instances per job")
    max_glue_workers: int = Field(
        10, ge=1, le=1000, description="Most workers a Glue ETL job run may use"
    )
    max_runtime_hours: float = Field(
        24.0, gt=0, le=28 * 24, description="Longest a training job may run"
    )
    allowed_buckets: CsvList = Field(
        default_factory=list,
        description="S3 buckets that data and output may use; empty allows none",
    )
    require_kms: bool = Field(False, description="Refuse jobs unless a KMS key is configured")
    allowed_image_accounts: CsvList = Field(
        default_factory=list,
        description="AWS accounts whose ECR images a deployed model may use, besides this "
        "account and AWS's own (built-in algorithms, deep learning containers)",
    )
    approvers: CsvList = Field(
        default_factory=list,
        description="User ids who may approve anyone's request (the policy's approvers role)",
    )
    policy_file: Path | None = Field(
        None,
        description="Permission policy (TOML): who may ask for what, where, and approve it; "
        "see deploy/policy.example.toml",
    )
    confirmation_ttl_minutes: int = Field(15, ge=1, le=24 * 60, description="Card expiry")

    # --- Running
    state_db: Path = Field(Path("chatops.db"), description="SQLite file for the bot's state")
    dynamodb_table: str | None = Field(
        None,
        description="DynamoDB table for the bot's state, shared by replicas (instead of "
        "CHATOPS_STATE_DB); create it with `chatops state init`",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level")
    log_format: Literal["text", "json"] = Field("text", description="Log line format")
    follow_min_seconds: float = Field(
        15.0, gt=0, description="First wait between status checks of a followed job"
    )
    follow_max_seconds: float = Field(
        300.0, gt=0, description="Longest wait between status checks (backoff cap)"
    )
    price_list_api: bool = Field(
        True, description="Look prices up in the AWS Price List API (else the shipped snapshot)"
    )
    workers: int = Field(
        8, ge=1, le=256, description="Worker threads that answer requests after Slack's ack"
    )
    queue_size: int = Field(
        200,
        ge=0,
        le=100_000,
        description="Acknowledged requests that may wait for a worker; when full, the asker "
        "is told the bot is busy",
    )
    shared_read_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description="Identical read-only questions in one channel within this many seconds "
        "share one answer (0: never)",
    )
    inbox_grace_seconds: float = Field(
        120.0,
        ge=10,
        le=3600,
        description="A request acknowledged and still not answered after this many seconds "
        "(the process that took it died) is answered by another process or the next start",
    )
    ack_process: bool = Field(
        True,
        description="In HTTP mode, answer Slack from a small process of its own, so that no "
        "work of the bot's can delay an ack",
    )
    work_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="With the ack process, lower the bot's own CPU priority by this much "
        "(nice), so that the acks come first when the CPUs are busy",
    )

    # --- AWS Lambda (bot.aws_lambda): report schedules are EventBridge Scheduler schedules
    scheduler_group: str | None = Field(
        None,
        description="AWS Lambda: the EventBridge Scheduler schedule group that holds the "
        "report schedules made in chat (the SAM template creates it)",
    )
    scheduler_role_arn: str | None = Field(
        None,
        description="AWS Lambda: the IAM role EventBridge Scheduler assumes to invoke the "
        "function for a scheduled report",
    )
    scheduler_target_arn: str | None = Field(
        None,
        description="AWS Lambda: the function a scheduled report invokes",
    )

    @field_validator(
        "bot_channels",
        "vpc_subnets",
        "vpc_security_groups",
        "approvers",
        "allowed_instance_types",
        "allowed_buckets",
        "allowed_image_accounts",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator(
        "allowed_instance_types", "default_training_instance", "default_endpoint_instance"
    )
    @classmethod
    def _instance_types(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            if not _INSTANCE_TYPE.match(item):
                raise ValueError(f"{item!r} is not an instance type like ml.m5.xlarge")
        return value

    @field_validator("allowed_buckets")
    @classmethod
    def _buckets(cls, value: list[str]) -> list[str]:
        cleaned = [b.removeprefix("s3://").strip("/") for b in value]
        for bucket in cleaned:
            if not _BUCKET.match(bucket):
                raise ValueError(f"{bucket!r} is not an S3 bucket name")
        return cleaned

    @field_validator("allowed_image_accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        for account in value:
            if not re.fullmatch(r"\d{12}", account):
                raise ValueError(f"{account!r} is not a 12-digit AWS account id")
        return value

    @field_validator("output_s3_uri")
    @classmethod
    def _output(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^s3://[a-z0-9][a-z0-9.\-]+[a-z0-9](/.*)?$", value):
            raise ValueError("must be an s3:// URI such as s3://my-bucket/chatops")
        return value.rstrip("/") if value else value

    @field_validator("sagemaker_role_arn", "scheduler_role_arn")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$", value):
            raise ValueError("must be an IAM role ARN, arn:aws:iam::<account>:role/<name>")
        return value

    @field_validator("scheduler_group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        if value is not None and not _GROUP.match(value):
            raise ValueError("must be a schedule group name: letters, digits, - _ . (1-64)")
        return value

    @field_validator("scheduler_target_arn")
    @classmethod
    def _function(cls, value: str | None) -> str | None:
        if value is not None and not _FUNCTION.match(value):
            raise ValueError(
                "must be a Lambda function ARN, arn:aws:lambda:<region>:<account>:function:<name>"
            )
        return value

    # ------------------------------------------------------------------ helpers

    @property
    def max_runtime_seconds(self) -> int:
        return int(self.max_runtime_hours * 3600)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def uses_aws_lex(self) -> bool:
        return bool(self.lex_bot_id and self.lex_bot_alias_id)

    def require(self, *names: str) -> None:
        """Fail with one line per missing setting (by its environment variable)."""
        missing = [env_name(n) for n in names if getattr(self, n) in (None, "", [])]
        if missing:
            raise SettingsError([f"{name} is not set: {describe(name)}" for name in missing])


def env_name(field_name: str) -> str:
    info = Settings.model_fields[field_name]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"CHATOPS_{field_name.upper()}"


def describe(env: str) -> str:
    for name, info in Settings.model_fields.items():
        if env_name(name) == env:
            return info.description or ""
    return ""


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; raise SettingsError with one line per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(part) for part in err["loc"]]
            field_name = loc[0] if loc else "?"
            env = env_name(field_name) if field_name in Settings.model_fields else field_name
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{env} is not valid: {message}")
        raise SettingsError(problems) from None
