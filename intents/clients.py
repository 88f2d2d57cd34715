"""AWS clients, built once on first use and shared, each with its typed interface.

boto3 clients are thread-safe; building them is not, hence the lock. Nothing
creates a client at import time or inside a handler: the application builds one
:class:`AwsClients` and hands it to handlers through ``Deps``. With the typed
boto3 stubs installed (the ``test`` extra), mypy checks every call.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from intents.errors import NotAvailable

if TYPE_CHECKING:
    from boto3.session import Session
    from botocore.client import BaseClient
    from types_boto3_budgets import BudgetsClient
    from types_boto3_ce import CostExplorerClient
    from types_boto3_cloudtrail import CloudTrailClient
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_comprehend import ComprehendClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_iam import IAMClient
    from types_boto3_lexv2_models import LexModelsV2Client
    from types_boto3_lexv2_runtime import LexRuntimeV2Client
    from types_boto3_polly import PollyClient
    from types_boto3_pricing import PricingClient
    from types_boto3_rekognition import RekognitionClient
    from types_boto3_s3 import S3Client
    from types_boto3_sagemaker import SageMakerClient
    from types_boto3_sagemaker_runtime import SageMakerRuntimeClient
    from types_boto3_sts import STSClient
    from types_boto3_transcribe import TranscribeServiceClient
    from types_boto3_translate import TranslateClient
    from types_boto3_trustedadvisor import TrustedAdvisorPublicAPIClient

# The services the bot uses, by boto3's name.
Service = Literal[
    "sagemaker",
    "sagemaker-runtime",
    "cloudwatch",
    "s3",
    "ce",
    "budgets",
    "pricing",
    "rekognition",
    "comprehend",
    "translate",
    "polly",
    "transcribe",
    "sts",
    "lexv2-runtime",
    "lexv2-models",
    "iam",
    "cloudtrail",
    "dynamodb",
    "trustedadvisor",
]


class Credentials(TypedDict, total=False):
    """Explicit credentials (the sandbox's); without them boto3 finds its own."""

    aws_access_key_id: str
    aws_secret_access_key: str
    aws_session_token: str


# Lex must answer fast or we fall back to the local runtime: no retries, short timeouts.
_FAST = {"lexv2-runtime"}
# Global services whose API lives in us-east-1 whatever the bot's region.
_US_EAST_1 = {"ce", "budgets", "pricing", "trustedadvisor"}
# Requests built only by the bot's own typed code (mypy checks them against the service
# model): botocore's client-side check of GetMetricData's 500 queries is half the CPU of
# the call, and CloudWatch checks them again anyway.
_UNCHECKED = {"cloudwatch"}


class AwsClients:
    """Lazily built, cached boto3 clients for one region (and one endpoint, in the sandbox)."""

    def __init__(
        self,
        region: str,
        *,
        endpoint_url: str | None = None,
        credentials: Credentials | None = None,
        overrides: dict[str, Any] | None = None,
        unavailable: dict[str, str] | None = None,
    ) -> None:
        self.region = region
        # service -> name, for services this endpoint (the offline sandbox) does not have
        self.unavailable = dict(unavailable or {})
        self.endpoint_url = endpoint_url
        self._credentials: Credentials = credentials or {}
        self._clients: dict[str, BaseClient] = dict(overrides or {})
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._account: str | None = None

    def client(self, service: Service) -> BaseClient:
        """The client for *service* (boto3's name), built on first use."""
        if service in self.unavailable:
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

    def _build(self, service: Service) -> BaseClient:
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
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                parameter_validation=service not in _UNCHECKED,
            )
        region = "us-east-1" if service in _US_EAST_1 else self.region
        return self._session.client(
            service, region_name=region, endpoint_url=self.endpoint_url, config=config
        )

    def account_id(self) -> str:
        """The AWS account the credentials belong to (asked once)."""
        if self._account is None:
            self._account = str(self.sts.get_caller_identity()["Account"])
        return self._account

    # The services the bot uses, typed.
    @property
    def sagemaker(self) -> SageMakerClient:
        return cast("SageMakerClient", self.client("sagemaker"))

    @property
    def sagemaker_runtime(self) -> SageMakerRuntimeClient:
        return cast("SageMakerRuntimeClient", self.client("sagemaker-runtime"))

    @property
    def cloudwatch(self) -> CloudWatchClient:
        return cast("CloudWatchClient", self.client("cloudwatch"))

    @property
    def s3(self) -> S3Client:
        return cast("S3Client", self.client("s3"))

    @property
    def ce(self) -> CostExplorerClient:
        return cast("CostExplorerClient", self.client("ce"))

    @property
    def budgets(self) -> BudgetsClient:
        return cast("BudgetsClient", self.client("budgets"))

    @property
    def pricing(self) -> PricingClient:
        return cast("PricingClient", self.client("pricing"))

    @property
    def rekognition(self) -> RekognitionClient:
        return cast("RekognitionClient", self.client("rekognition"))

    @property
    def comprehend(self) -> ComprehendClient:
        return cast("ComprehendClient", self.client("comprehend"))

    @property
    def translate(self) -> TranslateClient:
        return cast("TranslateClient", self.client("translate"))

    @property
    def polly(self) -> PollyClient:
        return cast("PollyClient", self.client("polly"))

    @property
    def transcribe(self) -> TranscribeServiceClient:
        return cast("TranscribeServiceClient", self.client("transcribe"))

    @property
    def cloudtrail(self) -> CloudTrailClient:
        return cast("CloudTrailClient", self.client("cloudtrail"))

    @property
    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self.client("dynamodb"))

    @property
    def trustedadvisor(self) -> TrustedAdvisorPublicAPIClient:
        return cast("TrustedAdvisorPublicAPIClient", self.client("trustedadvisor"))

    @property
    def sts(self) -> STSClient:
        return cast("STSClient", self.client("sts"))

    @property
    def lex_runtime(self) -> LexRuntimeV2Client:
        return cast("LexRuntimeV2Client", self.client("lexv2-runtime"))

    @property
    def lex_models(self) -> LexModelsV2Client:
        return cast("LexModelsV2Client", self.client("lexv2-models"))

    @property
    def iam(self) -> IAMClient:
        return cast("IAMClient", self.client("iam"))
