"""Three replicas on one DynamoDB table: is every reply, card, job, scheduled post and
status post made exactly once? (Prints counts; exits 1 if one is not.)

    python benchmarks/bench_replicas.py

Three real ``chatops run`` processes (HTTP mode) share a DynamoDB table on an in-process
moto server seeded with the sandbox's demo account (its training jobs move through their
statuses over ~100 s) and post to the local Slack stand-in. Every Slack delivery goes to
all of them: the first as Slack sends it, then three retries (``X-Slack-Retry-Num``) to
the other replicas, the way a load balancer spreads Slack's retries. Then:

* questions: each answered once;
* training requests: one card each; each card's Approve clicked on every replica: one
  job each;
* two reports scheduled for the next minute: each fire posted once (every replica's
  scheduler fires it);
* the replica holding the most job leases is killed (SIGKILL) mid-follow: another takes
  its jobs over within one lease (60 s) and every status change is posted once; a
  restarted replica (as an orchestrator would start one) doubles nothing.

Also printed: each replica's start-to-ready time and idle memory (targets: <= 1 s,
<= 120 MB). Loopback only; about three minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "xoxb-bench-replicas"
SECRET = "bench-replicas-signing-secret"
TABLE = "chatops-bench"
CHANNEL = "C0MLOPS"
TEAM = "T0BENCH"
SCALE = 2.5  # a training job takes 40 s x SCALE
QUESTIONS = [
    "help",
    "list my endpoints",
    "how much did we spend last week?",
    "are we over budget?",
    "list training jobs",
    "what is idle?",
    "is fraud-detector-prod healthy?",
    "which reports are scheduled here?",
]
TRAININGS = [
    "train xgboost on s3://acme-ml-data/churn/train.csv",
    "train xgboost on s3://acme-ml-data/fraud/train.csv",
    "train linear-learner on s3://acme-ml-data/churn/train.csv",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    index: int
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    ready_s: float = 0.0
    rss_mb: float = 0.0
    log: Path = field(default_factory=Path)

    def start(self, logs: Path) -> None:
        self.log = logs / f"replica-{self.index}.log"
        began = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=logs,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab"),
        )
        deadline = began + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=1
                ) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"replica {self.index} did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.01)
        self.ready_s = time.monotonic() - began

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def memory(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Bench:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        from bot.sandbox import moto_ext, seed
        from bot.sandbox.slack_api import SlackStandIn
        from bot.state.dynamodb import DynamoState, create_table
        from intents.clients import AwsClients

        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        moto_ext.install(scale=SCALE)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.aws_url = f"http://{host}:{port}"
        self.aws = AwsClients(
            seed.REGION,
            endpoint_url=self.aws_url,
            credentials={"aws_access_key_id": "bench", "aws_secret_access_key": "bench"},
        )
        seed.seed(self.aws)
        create_table(self.aws.dynamodb, TABLE)
        self.state = DynamoState(self.aws.dynamodb, TABLE)
        self.seeded_jobs = set(self._jobs())
        self.slack = SlackStandIn(TOKEN).start()
        self.logs = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
        base = {k: v for k, v in os.environ.items() if not k.startswith(("CHATOPS_", "SLACK_"))}
        base.update(
            {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "CHATOPS_SLACK_API_URL": self.slack.url,
                "CHATOPS_AWS_ENDPOINT_URL": self.aws_url,
                "CHATOPS_DYNAMODB_TABLE": TABLE,
                "CHATOPS_BOT_CHANNELS": CHANNEL,
                "CHATOPS_SAGEMAKER_ROLE_ARN": seed.ROLE_ARN,
                "CHATOPS_OUTPUT_S3_URI": f"s3://{seed.ARTIFACT_BUCKET}/chatops",
                "CHATOPS_ALLOWED_BUCKETS": f"{seed.DATA_BUCKET},{seed.ARTIFACT_BUCKET}",
                "CHATOPS_FOLLOW_MIN_SECONDS": "1",
                "CHATOPS_FOLLOW_MAX_SECONDS": "4",
                "CHATOPS_PRICE_LIST_API": "false",
                "CHATOPS_POLICY_FILE": str(ROOT / "bot" / "sandbox" / "policy.toml"),
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_REGION": seed.REGION,
                "PYTHONPATH": str(ROOT),
            }
        )
        self.replicas = []
        for i in range(3):
            port_i = _free_port()
            env = dict(base, CHATOPS_PORT=str(port_i), CHATOPS_STATE_DB=str(self.logs / "unused"))
            self.replicas.append(Replica(i, port_i, env))
        self.deliveries = 0
        self.statuses: Counter[int] = Counter()
        self._ts = 1800000000

    # ------------------------------------------------------------------ Slack's side

    def _send(self, replica: Replica, body: str, content_type: str, retry: int) -> int:
        stamp = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        }
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        request = urllib.request.Request(
            f"http://127.0.0.1:{replica.port}/slack/events",
            data=body.encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def deliver(self, body: str, content_type: str, first: int) -> None:
        """One delivery and three retries, each to the next live replica."""
        live = [r for r in self.replicas if r.alive]
        for attempt in range(4):
            replica = live[(first + attempt) % len(live)]
            self.statuses[self._send(replica, body, content_type, attempt)] += 1
            self.deliveries += 1

    def say(self, text: str, user: str = "U0ALICE") -> str:
        self._ts += 1
        ts = f"{self._ts}.000100"
        event = {
            "type": "message",
            "channel": CHANNEL,
            "user": user,
            "text": text,
            "ts": ts,
            "channel_type": "channel",
            "team": TEAM,
        }
        body = {
            "type": "event_callback",
            "team_id": TEAM,
            "api_app_id": "A0BENCH",
            "event": event,
            "event_id": f"Ev{self._ts}",
            "event_time": self._ts,
        }
        self.deliver(json.dumps(body), "application/json", self._ts)
        return ts

    def approve(self, plan_id: str, first: int, user: str = "U0CAROL") -> None:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "team": {"id": TEAM},
            "channel": {"id": CHANNEL},
            "container": {"type": "message", "message_ts": "1.0"},
            "trigger_id": f"t{plan_id}",
            "actions": [{"action_id": "plan_approve", "value": plan_id, "type": "button"}],
        }
        body = urlencode({"payload": json.dumps(payload)})
        self.deliver(body, "application/x-www-form-urlencoded", first)

    # ------------------------------------------------------------------ what happened

    def thread(self, ts: str) -> list[Any]:
        return [
            r
            for r in self.slack.records
            if r.kind in ("post", "ephemeral") and (r.thread_ts == ts or r.ts == ts)
        ]

    def keyed(self, prefix: str) -> Counter[str]:
        keys: Counter[str] = Counter()
        for r in self.slack.records:
            if r.kind != "post":
                continue
            key = str(((r.metadata or {}).get("event_payload") or {}).get("key", ""))
            if key.startswith(prefix):
                keys[key] += 1
        return keys

    def _jobs(self) -> list[str]:
        pages = self.aws.sagemaker.get_paginator("list_training_jobs").paginate()
        return [j["TrainingJobName"] for p in pages for j in p["TrainingJobSummaries"]]

    def new_jobs(self) -> Counter[str]:
        return Counter(j for j in self._jobs() if j not in self.seeded_jobs)

    def lease_owners(self) -> Counter[int]:
        """How many job follows each process (by pid) holds a lease on now."""
        now = time.time()
        owners: Counter[int] = Counter()
        for f in self.state.active_follows():
            item = self.aws.dynamodb.get_item(
                TableName=TABLE, Key={"PK": {"S": f"F#{f.kind}#{f.name}"}, "SK": {"S": "#"}}
            ).get("Item", {})
            owner, until = item.get("lease_owner", {}).get("S"), item.get("lease_until", {})
            if owner and float(until.get("N", "0")) > now:
                owners[int(owner.split(":")[1])] += 1
        return owners

    def wait_quiet(self, seconds: float = 3.0, limit: float = 60.0) -> None:
        """Until Slack has seen nothing new for *seconds*."""
        deadline = time.monotonic() + limit
        seen, since = len(self.slack.records), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if len(self.slack.records) != seen:
                seen, since = len(self.slack.records), time.monotonic()
            elif time.monotonic() - since >= seconds:
                return

    def close(self) -> None:
        for r in self.replicas:
            r.stop()
        self.slack.stop()
        self.moto.stop()


def _card(records: list[Any]) -> str | None:
    for r in records:
        for button in r.buttons():
            if button.get("action_id") == "plan_approve":
                return str(button["value"])
    return None


def main() -> int:
    began = time.monotonic()
    bench = Bench()
    rows: list[tuple[str, str, bool]] = []

    def check(what: str, counts: list[int] | Counter[str], expected: int = 1) -> None:
        values = list(counts.values()) if isinstance(counts, Counter) else counts
        ok = bool(values) and all(v == expected for v in values)
        shown = ", ".join(str(v) for v in values) if len(values) <= 12 else str(Counter(values))
        rows.append((what, f"{shown}  (want {expected} each)", ok))

    try:
        for replica in bench.replicas:
            replica.start(bench.logs)
        time.sleep(2)
        for replica in bench.replicas:
            replica.rss_mb = replica.memory()
        ready = ", ".join(f"{r.ready_s:.2f} s" for r in bench.replicas)
        memory = ", ".join(f"{r.rss_mb:.0f} MB" for r in bench.replicas)
        rows.append(
            (
                "start to ready",
                f"{ready}  (want <= 1 s)",
                all(r.ready_s <= 1 for r in bench.replicas),
            )
        )
        rows.append(
            (
                "idle memory (RSS)",
                f"{memory}  (want <= 120 MB)",
                all(r.rss_mb <= 120 for r in bench.replicas),
            )
        )

        # Questions, each delivered four times across the replicas
        asked = [bench.say(q) for q in QUESTIONS]
        bench.wait_quiet()
        check("replies per question", [len(bench.thread(ts)) for ts in asked])

        # Changes: one card per request, one job per approval clicked on every replica
        requests = [bench.say(t) for t in TRAININGS]
        bench.wait_quiet()
        cards = [[r for r in bench.thread(ts) if _card([r])] for ts in requests]
        check("cards per training request", [len(c) for c in cards])
        for i, found in enumerate(cards):
            plan = _card(found)
            if plan:
                bench.approve(plan, first=i)
        bench.wait_quiet(seconds=2)
        jobs = bench.new_jobs()
        check(
            "jobs per approval (3 approvals)",
            jobs + Counter({f"missing {i}": 0 for i in range(len(cards) - len(jobs))}),
        )

        # Two reports scheduled for a minute from now: each replica's scheduler fires them
        fire = (datetime.now(UTC) + timedelta(seconds=90)).replace(second=0, microsecond=0)
        schedule_asks = [
            bench.say(f"post the {report} report daily at {fire:%H:%M}")
            for report in ("budget", "cost")
        ]
        bench.wait_quiet(seconds=2)
        for i, ts in enumerate(schedule_asks):
            plan = _card(bench.thread(ts))
            if plan:
                bench.approve(plan, first=i)
        bench.wait_quiet(seconds=2)
        check("schedules after 2 approvals", [len(bench.state.schedules())], expected=2)

        # Kill a replica mid-follow: it has claimed a job, decided on a status post and is
        # on its way to Slack (held there by a rate limit) when it dies.
        bench.slack.failures["chat.postMessage"] = [(429, {"Retry-After": "15"})]
        deadline = time.monotonic() + 60
        while bench.slack.failures["chat.postMessage"] and time.monotonic() < deadline:
            time.sleep(0.05)
        owners = bench.lease_owners()
        victim = max(
            bench.replicas,
            key=lambda r: owners.get(r.process.pid if r.process else -1, 0),
        )
        held = owners.get(victim.process.pid if victim.process else -1, 0)
        owed = len(bench.state.pending_posts())
        victim.kill()
        killed_at = time.monotonic()
        print(
            f"killed replica {victim.index} (SIGKILL) mid-follow: it held {held} job lease(s); "
            f"{owed} status post(s) decided and not yet made"
        )

        # Questions keep coming to the live ones
        asked_after = [bench.say(q) for q in QUESTIONS[:4]]

        # Wait for the fire and for every job to finish and be reported
        wait_until = max(fire.timestamp() + 20, time.time() + 100 + 15)
        taken_over: float | None = None
        while time.time() < wait_until:
            time.sleep(0.5)
            if taken_over is None and owed and not bench.state.pending_posts():
                taken_over = time.monotonic() - killed_at
                print(f"another replica made the owed post {taken_over:.0f} s after the kill")
        if owed:
            rows.append(
                (
                    "owed post taken over within one lease (60 s + a poll)",
                    f"{taken_over:.0f} s" if taken_over is not None else "never",
                    taken_over is not None and taken_over <= 70,
                )
            )

        victim.start(bench.logs)  # an orchestrator starts a replacement
        print(
            f"replica {victim.index} restarted {time.monotonic() - killed_at:.0f} s after the kill"
        )
        bench.wait_quiet(seconds=6, limit=120)
        check("replies per question after the kill", [len(bench.thread(ts)) for ts in asked_after])
        fires = bench.keyed("schedule:")
        check(
            f"posts per scheduled fire ({fire:%H:%M} UTC)",
            fires + Counter({"missing": 0} if len(fires) < 2 else {}),
        )
        follow_posts = bench.keyed("follow:")
        check("posts per job status change", follow_posts)
        finished = Counter(
            k.split(":", 3)[2]
            for k in follow_posts
            if k.split(":", 3)[3].startswith(("Completed", "Failed", "Stopped"))
        )
        check(
            "final status posts per job",
            Counter({job: finished.get(job, 0) for job in jobs}),
        )
        replies = Counter(bench.statuses)
        print(
            f"deliveries: {bench.deliveries} ({', '.join(f'{n}x HTTP {s}' for s, n in sorted(replies.items()))})"
        )
    finally:
        bench.close()

    width = max(len(r[0]) for r in rows)
    for what, shown, ok in rows:
        print(f"{'ok  ' if ok else 'FAIL'} {what:<{width}}  {shown}")
    print(f"whole run: {time.monotonic() - began:.0f} s; replica logs in {bench.logs}")
    return 0 if all(ok for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
