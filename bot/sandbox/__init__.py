"""The offline sandbox: the real bot against in-process stand-ins for AWS and Slack.

One process holds a moto server on loopback (seeded with a demo account), the
local Lex runtime, a local stand-in for the Slack Web API, and the production
Bolt app, which receives signed Slack requests from :class:`SlackDriver`.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sandbox.driver import SlackDriver, TrackingExecutor
from bot.sandbox.slack_api import SlackStandIn

if TYPE_CHECKING:
    from intents.clients import AwsClients
    from intents.registry import Registry

log = logging.getLogger(__name__)

CHANNEL = "C0MLOPS"
CHANNEL_NAME = "ml-ops"
USERS = {"U0ALICE": "alice", "U0BOB": "bob", "U0CAROL": "carol"}
DEFAULT_USER = "U0ALICE"
# Services moto does not have, with no local path: the bot says so instead of failing.
OFFLINE_UNAVAILABLE = {"translate": "Amazon Translate", "polly": "Amazon Polly"}


class Sandbox:
    """Start with :meth:`start`, talk through :attr:`driver`, read :attr:`slack`."""

    def __init__(
        self,
        *,
        scale: float = 1.0,
        state_dir: Path | None = None,
        working_delay: float = 1.0,
        follow_seconds: tuple[float, float] = (2.0, 6.0),
        traffic: bool = True,
        start_follower: bool = True,
        settings_overrides: dict[str, Any] | None = None,
        registry: Registry | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.scale = scale
        self._own_dir = state_dir is None
        self.state_dir = state_dir or Path(tempfile.mkdtemp(prefix="chatops-sandbox-"))
        # Files the bot uploads (charts, CSV lists) are written here for a person to open.
        self.files_dir = files_dir or self.state_dir / "files"
        self.working_delay = working_delay
        self.follow_seconds = follow_seconds
        self.traffic = traffic
        self.start_follower = start_follower
        self.overrides = settings_overrides or {}
        self.registry = registry  # handlers to use instead of the real ones (tests)
        self._stop = threading.Event()
        self.moto: Any = None
        self.slack: SlackStandIn | None = None
        self.chatops: Any = None
        self.driver: SlackDriver | None = None

    def start(self) -> Sandbox:
        from moto.server import ThreadedMotoServer

        from bot.app import build_deps, create
        from bot.sandbox import moto_ext, seed
        from bot.settings import Settings
        from bot.state import open_state
        from intents.clients import AwsClients

        moto_ext.install(scale=self.scale)
        # moto's web server logs each failed request with a traceback; the bot reports them itself.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.aws_url = f"http://{host}:{port}"
        # moto keeps its state in this process: start from an empty account.
        urllib.request.urlopen(
            urllib.request.Request(f"{self.aws_url}/moto-api/reset", method="POST")
        )
        moto_ext.reset()
        aws = AwsClients(
            seed.REGION,
            endpoint_url=self.aws_url,
            credentials={"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"},
            unavailable=OFFLINE_UNAVAILABLE,
        )
        moto_ext.answer_trusted_advisor(aws.client("trustedadvisor"))
        self.seeded = seed.seed(aws)
        token = "xoxb-sandbox-" + secrets.token_hex(8)
        signing_secret = secrets.token_hex(16)
        self.slack = SlackStandIn(token, files_dir=self.files_dir).start()
        values: dict[str, Any] = {
            "slack_bot_token": token,
            "slack_signing_secret": signing_secret,
            "slack_app_token": None,
            "slack_api_url": self.slack.url,
            "aws_endpoint_url": self.aws_url,
            "aws_region": seed.REGION,
            "bot_channels": [CHANNEL],
            "state_db": self.state_dir / "chatops.db",
            "sagemaker_role_arn": seed.ROLE_ARN,
            "output_s3_uri": f"s3://{seed.ARTIFACT_BUCKET}/chatops",
            "allowed_buckets": [seed.DATA_BUCKET, seed.ARTIFACT_BUCKET],
            "follow_min_seconds": self.follow_seconds[0],
            "follow_max_seconds": self.follow_seconds[1],
            "price_list_api": False,
            "policy_file": Path(__file__).with_name("policy.toml"),
            "lex_bot_id": None,
            "lex_bot_alias_id": None,
        }
        values.update(self.overrides)
        # pydantic-settings takes _env_file at runtime; the __init__ mypy derives from the
        # fields (dataclass_transform) does not list it.
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        self.executor = TrackingExecutor()
        state = open_state(settings.state_db)
        deps = build_deps(settings, state, aws=aws, registry=self.registry, sandbox=True)
        self.chatops = create(
            settings,
            deps=deps,
            state=state,
            executor=self.executor,
            working_delay=self.working_delay,
            start_follower=self.start_follower,
        )
        self.driver = SlackDriver(
            self.chatops.app, signing_secret, self.slack, self.executor, channel=CHANNEL
        )
        if self.traffic:
            threading.Thread(
                target=self._traffic, args=(aws,), name="sandbox-traffic", daemon=True
            ).start()
        return self

    def _traffic(self, aws: AwsClients) -> None:
        """Keep the endpoints' last hour of metrics fresh while the sandbox runs."""
        import random

        from bot.sandbox.seed import put_metrics

        rng = random.Random()
        while not self._stop.wait(60):
            try:
                put_metrics(aws.cloudwatch, rng, minutes=1)
            except Exception:
                log.warning("could not add sandbox metrics", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        if self.chatops is not None:
            self.chatops.close()
        if self.slack is not None:
            self.slack.stop()
        if self.moto is not None:
            self.moto.stop()
            from bot.sandbox import moto_ext

            moto_ext.uninstall()
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
