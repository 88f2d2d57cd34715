"""Dependencies handed to every handler: settings, AWS clients, state, clock.

AWS clients are built once, on first use, and shared (boto3 clients are
thread-safe; building them is not, hence the lock). Nothing creates a client at
import time or inside a handler.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from bot.store import Store

if TYPE_CHECKING:
    from intents.base import Registry, SlackFile

# Lex must answer fast or we fall back to the local runtime: no retries, short timeouts.
_FAST = {"lexv2-runtime"}


class AwsClients:
    """Lazily built, cached boto3 clients for one region (and one endpoint, in the sandbox)."""

    def __init__(
        self,
        region: str,
        *,
        endpoint_url: str | None = None,
        credentials: dict[str, str] | None = None,
        overrides: dict[str, Any] | None = None,
        unavailable: dict[str, str] | None = None,
    ) -> None:
        self.region = region
        # service -> name, for services this endpoint (the offline sandbox) does not have
        self.unavailable = dict(unavailable or {})
        self.endpoint_url = endpoint_url
        self._credentials = credentials or {}
        self._clients: dict[str, Any] = dict(overrides or {})
        self._lock = threading.Lock()
        self._session: Any = None
        self._account: str | None = None

    def client(self, service: str) -> Any:
        if service in self.unavailable:
            from intents.base import NotAvailable

            raise NotAvailable(
                f"{self.unavailable[service]} is not available in the offline sandbox.",
                hint="It works against real AWS with `chatops run`.",
            )
        found = self._clients.get(service)
        if found is not None:
            return found
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._build(service)
            return self._clients[service]

    def _build(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        if self._session is None:
            self._session = boto3.session.Session(region_name=self.region, **self._credentials)
        if service in _FAST:
            config = Config(
                retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2, read_timeout=5
            )
        else:
            config = Config(
                retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=30
            )
        region = "us-east-1" if service in ("ce", "budgets", "pricing") else self.region
        return self._session.client(
            service, region_name=region, endpoint_url=self.endpoint_url, config=config
        )

    def account_id(self) -> str:
        """The AWS account the credentials belong to (asked once)."""
        if self._account is None:
            self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account

    # The services the handlers use, by name, for readability.
    @property
    def sagemaker(self) -> Any:
        return self.client("sagemaker")

    @property
    def sagemaker_runtime(self) -> Any:
        return self.client("sagemaker-runtime")

    @property
    def cloudwatch(self) -> Any:
        return self.client("cloudwatch")

    @property
    def s3(self) -> Any:
        return self.client("s3")


@dataclass(frozen=True)
class Deps:
    settings: Settings
    aws: AwsClients
    store: Store
    registry: Registry
    clock: Callable[[], float] = field(default=time.time)
    # True in the offline sandbox: handlers may say what the sandbox cannot do.
    sandbox: bool = False
    # Downloads a file attached to a Slack message (None where attachments can't be read).
    fetch_file: Callable[[SlackFile, int], bytes] | None = None
