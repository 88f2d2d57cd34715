"""What handlers read of the bot's settings.

The application's one validated settings object (``bot.settings.Settings``)
has these attributes among others; handlers see only this view of it, so the
work does not depend on how the application reads its configuration.
"""

from __future__ import annotations

from typing import Protocol

from intents.errors import Refused


class HandlerSettings(Protocol):
    """Read-only view of the settings that handlers use."""

    @property
    def aws_region(self) -> str: ...

    # --- SageMaker
    @property
    def sagemaker_role_arn(self) -> str | None: ...

    @property
    def output_s3_uri(self) -> str | None: ...

    @property
    def kms_key_id(self) -> str | None: ...

    @property
    def vpc_subnets(self) -> list[str]: ...

    @property
    def vpc_security_groups(self) -> list[str]: ...

    @property
    def default_training_instance(self) -> str: ...

    @property
    def default_endpoint_instance(self) -> str: ...

    # --- guardrails
    @property
    def allowed_instance_types(self) -> list[str]: ...

    @property
    def max_instance_count(self) -> int: ...

    @property
    def max_glue_workers(self) -> int: ...

    @property
    def max_runtime_hours(self) -> float: ...

    @property
    def max_runtime_seconds(self) -> int: ...

    @property
    def allowed_buckets(self) -> list[str]: ...

    @property
    def require_kms(self) -> bool: ...

    @property
    def allowed_image_accounts(self) -> list[str]: ...

    # --- running
    @property
    def follow_min_seconds(self) -> float: ...

    @property
    def price_list_api(self) -> bool: ...


def setting_names() -> frozenset[str]:
    """The names a handler may list in ``requires``."""
    return frozenset(
        name for name, value in vars(HandlerSettings).items() if isinstance(value, property)
    )


def required(value: str | None, name: str) -> str:
    """The value of a setting that a handler lists in ``requires``.

    The gate refuses to run a handler while such a setting is unset; an executor runs
    later, after an approval, so it checks again here rather than call AWS with nothing.
    """
    if not value:
        raise Refused(
            f"This needs a setting the bot doesn't have yet: {name}.",
            hint="Ask whoever runs the bot to set it.",
        )
    return value
