"""What the account calls things: endpoint, model, training-job and budget names.

Language reads "how is fraud-detector-prod doing?" better when it knows that
fraud-detector-prod is an endpoint. :class:`NameResolver` lists the names with the
same typed clients the handlers use (a few pages, newest jobs first), keeps them a
short time, and answers ``kind(name)``. A listing that fails leaves that kind
unknown for a while; it is never an error for the person asking.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError

from intents.clients import AwsClients

log = logging.getLogger(__name__)

PAGE = 100  # MaxResults: SageMaker's largest page
MAX_PAGES = 5  # names beyond the newest few hundred are not worth the calls
Kind = str  # "endpoint" | "model" | "job" | "budget"


class NameResolver:
    """``kind(name)``: "endpoint", "model", "job" or "budget" when the account has a
    resource of that name, else None. Thread-safe; lists at most once per *ttl* seconds."""

    def __init__(
        self,
        aws: AwsClients,
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.aws = aws
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._names: dict[str, Kind] = {}
        self._at: float | None = None

    def kind(self, name: str) -> Kind | None:
        return self.names().get(name)

    def __call__(self, name: str) -> Kind | None:
        return self.kind(name)

    def names(self) -> dict[str, Kind]:
        with self._lock:
            now = self._clock()
            if self._at is None or now - self._at >= self.ttl:
                self._names = self._list()
                self._at = now
            return self._names

    def _list(self) -> dict[str, Kind]:
        found: dict[str, Kind] = {}
        # Later kinds do not overwrite earlier ones: an endpoint and its model often share
        # a name, and then the endpoint is what a question is about.
        for kind, lister in (
            ("endpoint", self._endpoints),
            ("job", self._jobs),
            ("model", self._models),
            ("budget", self._budgets),
        ):
            try:
                for name in lister():
                    found.setdefault(name, kind)
            except (ClientError, BotoCoreError) as exc:
                log.info("could not list %s names (%s); treating them as unknown", kind, exc)
        return found

    def _endpoints(self) -> Iterable[str]:
        pages = self.aws.sagemaker.get_paginator("list_endpoints").paginate(
            SortBy="CreationTime",
            SortOrder="Descending",
            PaginationConfig={"PageSize": PAGE, "MaxItems": PAGE * MAX_PAGES},
        )
        for page in pages:
            yield from (e["EndpointName"] for e in page.get("Endpoints", []))

    def _jobs(self) -> Iterable[str]:
        pages = self.aws.sagemaker.get_paginator("list_training_jobs").paginate(
            SortBy="CreationTime",
            SortOrder="Descending",
            PaginationConfig={"PageSize": PAGE, "MaxItems": PAGE * MAX_PAGES},
        )
        for page in pages:
            yield from (j["TrainingJobName"] for j in page.get("TrainingJobSummaries", []))

    def _models(self) -> Iterable[str]:
        pages = self.aws.sagemaker.get_paginator("list_models").paginate(
            SortBy="CreationTime",
            SortOrder="Descending",
            PaginationConfig={"PageSize": PAGE, "MaxItems": PAGE * MAX_PAGES},
        )
        for page in pages:
            yield from (m["ModelName"] for m in page.get("Models", []))

    def _budgets(self) -> Iterable[str]:
        pages = self.aws.budgets.get_paginator("describe_budgets").paginate(
            AccountId=self.aws.account_id(),
            PaginationConfig={"PageSize": PAGE, "MaxItems": PAGE * MAX_PAGES},
        )
        for page in pages:
            yield from (b["BudgetName"] for b in page.get("Budgets", []))
