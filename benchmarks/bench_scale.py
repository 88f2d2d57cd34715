"""How the bot's cost grows with the account (prints figures; asserts nothing).

    python benchmarks/bench_scale.py [--json] [--sizes 10,100,1000]

For each n, moto (in-process) holds the demo account plus n extra endpoints with their
configurations, models and metrics (every other one busy), n training jobs, n/10
processing jobs and n/10 notebooks (bot/sandbox/scale.py). AWS's default page sizes
are emulated, so a listing that asks for no page size costs what it costs on AWS.
Each handler runs cold (no cached prices) three times: the AWS calls by operation of
the first run, the median wall time, and the median CPU time of the client (the
process's CPU less what moto spent answering). Wall time includes moto's.

Then: one endpoint report on the demo account (3 endpoints), warm: its calls, its wall
time on moto, and the client's CPU with moto's answers recorded and replayed (median of
300); the cost of the state writes a message makes; and the time and resident memory the
first training proposal adds in a fresh process.

``--json`` prints one object: {"<Handler>": {"<n>": {"calls", "wall_ms", "cpu_ms", ...}}}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
)
RUNS = 3
WARM_RUNS = 30


def _request(intent: str, **slots: str) -> Any:
    from intents.base import Request

    return Request(
        id="r-bench001",
        intent=intent,
        slots=slots,
        user="U0ALICE",
        channel="C0MLOPS",
        team="T0BENCH",
        text="",
        origin_key=f"msg:T0BENCH:C0MLOPS:1795757756.{abs(hash((intent, *slots.items()))) % 10**6:06d}",
    )


def _settings(state_dir: Path, **overrides: Any) -> Any:
    from bot.sandbox import seed
    from bot.settings import Settings

    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-bench",
        "slack_signing_secret": "bench-secret",
        "state_db": state_dir / "state.db",
        "aws_region": seed.REGION,
        "sagemaker_role_arn": seed.ROLE_ARN,
        "output_s3_uri": f"s3://{seed.ARTIFACT_BUCKET}/chatops",
        "allowed_buckets": [seed.DATA_BUCKET, seed.ARTIFACT_BUCKET],
        "price_list_api": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def _cold() -> None:
    """Forget what earlier runs cached, so each run pays what a fresh process pays."""
    from intents import metrics, pricing

    pricing.clear_cache()
    metrics.forget_variants()


def _handlers(delete_target: str) -> dict[str, Callable[[Any], Any]]:
    from intents.costs import cost_report, idle_resources
    from intents.endpoints import delete_endpoint, endpoint_health
    from intents.jobs import list_jobs

    return {
        "EndpointHealth": lambda deps: endpoint_health(_request("EndpointHealth"), deps),
        "IdleResources": lambda deps: idle_resources(_request("IdleResources"), deps),
        "DeleteEndpoint": lambda deps: delete_endpoint(
            _request("DeleteEndpoint", endpointName=delete_target), deps
        ),
        "ListJobs": lambda deps: list_jobs(_request("ListJobs"), deps),
        "CostReport": lambda deps: cost_report(_request("CostReport"), deps),
    }


def _account(n: int, state_dir: Path) -> tuple[Any, Any, Any]:
    """A fresh moto account (the demo one plus *n* extra endpoints and the rest) and deps."""
    from bot.app import build_deps
    from bot.sandbox import moto_ext, seed
    from bot.sandbox.scale import seed_extra
    from bot.state import open_state
    from intents.clients import AwsClients

    moto_ext.reset()
    aws = AwsClients(seed.REGION)
    seed.seed(aws)
    extra = seed_extra(aws, n) if n else None
    settings = _settings(state_dir)
    deps = build_deps(settings, open_state(settings.state_db), aws=aws)
    return deps, aws, extra


SERVICES = ("sagemaker", "cloudwatch", "pricing", "ce", "budgets", "s3", "sts")


def measure_sizes(sizes: list[int]) -> dict[str, dict[str, dict[str, Any]]]:
    from moto import mock_aws

    from bot.sandbox import moto_ext
    from bot.sandbox.scale import AwsCalls, MotoTime, endpoint_name, fast_metric_data, timed

    moto_ext.install(scale=0)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    moto = MotoTime()
    with fast_metric_data(), moto.counting():
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp, mock_aws():
                deps, aws, _ = _account(n, Path(tmp))
                calls = AwsCalls().attach(*(aws.client(s) for s in SERVICES))
                target = endpoint_name(1) if n >= 2 else "recsys-staging"
                for name, run in _handlers(target).items():
                    walls, cpus, counted = [], [], None
                    for _ in range(RUNS):
                        _cold()
                        calls.reset()
                        wall, cpu = timed(lambda run=run, deps=deps: run(deps), moto)
                        walls.append(wall)
                        cpus.append(cpu)
                        counted = counted or dict(calls.calls)
                    assert counted is not None
                    out.setdefault(name, {})[str(n)] = {
                        "calls": sum(counted.values()),
                        "wall_ms": round(statistics.median(walls), 1),
                        "cpu_ms": round(statistics.median(cpus), 1),
                        "by_operation": dict(sorted(counted.items())),
                    }
                calls.detach()
                deps.state.close()
    return out


class _Raw:
    """A recorded HTTP body, as botocore reads a response."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def measure_endpoint_report() -> dict[str, Any]:
    """One endpoint report (handler and Block Kit) on the demo account, warm: AWS calls and
    wall time on moto; client CPU with moto's answers recorded once and replayed over HTTP
    (so that none of moto's work, inside or outside its answer, is in the figure)."""
    from botocore.awsrequest import AWSResponse
    from moto import mock_aws

    from bot.render.blocks import render
    from bot.sandbox import moto_ext
    from bot.sandbox.scale import AwsCalls
    from intents.endpoints import endpoint_health

    moto_ext.install(scale=0)
    recorded: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def record(http_response: Any, model: Any, **_: Any) -> None:
        headers = dict(http_response.headers)
        recorded[model.name] = (http_response.status_code, headers, http_response.content)

    def replay(request: Any, **kwargs: Any) -> Any:
        status, headers, body = recorded[kwargs["event_name"].rsplit(".", 1)[-1]]
        return AWSResponse(request.url, status, headers, _Raw(body))

    with tempfile.TemporaryDirectory() as tmp:
        with mock_aws():
            deps, aws, _ = _account(0, Path(tmp))
            clients = [aws.sagemaker, aws.cloudwatch]

            def report() -> None:
                render(endpoint_health(_request("EndpointHealth"), deps))

            for client in clients:
                client.meta.events.register("after-call.*.*", record)
            _cold()
            report()  # every call once (ListMetrics is kept for a while afterwards)
            for client in clients:
                client.meta.events.unregister("after-call.*.*", record)
            calls = AwsCalls().attach(*clients)
            walls = []
            for _ in range(WARM_RUNS):
                start = time.perf_counter()
                report()
                walls.append((time.perf_counter() - start) * 1000)
            calls.detach()
        for client in clients:  # moto is off: from here on, answers come from the recording
            client.meta.events.register_first("before-send.*.*", replay)
        for _ in range(20):
            report()
        cpus = []
        for _ in range(10 * WARM_RUNS):
            cpu = time.process_time()
            report()
            cpus.append((time.process_time() - cpu) * 1000)
        deps.state.close()
    return {
        "calls": calls.total // WARM_RUNS,
        "wall_ms": round(statistics.median(walls), 2),
        "cpu_ms": round(statistics.median(cpus), 2),
        "by_operation": {k: v // WARM_RUNS for k, v in sorted(calls.calls.items())},
    }


def measure_state_writes() -> dict[str, Any]:
    """What one message costs the state file: first delivery, joining the thread, the audit line."""
    from bot.state import open_state

    with tempfile.TemporaryDirectory() as tmp:
        state = open_state(Path(tmp) / "state.db")
        walls, cpus = [], []
        for i in range(300):
            wall, cpu = time.perf_counter(), time.process_time()
            state.first_delivery(f"msg:T:C:{i}")
            state.join_thread("C0MLOPS", f"{i}.000100")
            state.audit(
                request_id=f"r-{i:08d}",
                user="U0ALICE",
                channel="C0MLOPS",
                intent="EndpointHealth",
                slots={},
                outcome="answered",
            )
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        state.close()
    return {
        "calls": 0,
        "wall_ms": round(statistics.median(walls), 3),
        "cpu_ms": round(statistics.median(cpus), 3),
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def first_training_here() -> dict[str, Any]:
    """In this (fresh) process: the first training proposal, then a second one."""
    from moto import mock_aws

    from bot.app import build_deps
    from bot.sandbox import seed
    from bot.state import open_state
    from intents.clients import AwsClients
    from intents.training import start_training

    with tempfile.TemporaryDirectory() as tmp, mock_aws():
        aws = AwsClients(seed.REGION)
        aws.s3.create_bucket(Bucket=seed.DATA_BUCKET)
        aws.s3.put_object(
            Bucket=seed.DATA_BUCKET, Key="churn/train.csv", Body=b"churned,a,b\n0,1,2\n"
        )
        settings = _settings(Path(tmp), price_list_api=False)
        deps = build_deps(settings, open_state(settings.state_db), aws=aws)
        aws.s3.head_bucket(Bucket=seed.DATA_BUCKET)  # clients built before we measure
        modules, rss = len(sys.modules), _rss_mb()
        timings = []
        for i in range(2):
            request = _request(
                "StartTraining",
                algorithm="xgboost",
                dataset=f"s3://{seed.DATA_BUCKET}/churn/train.csv",
                attempt=str(i),  # a new message each time
            )
            start = time.perf_counter()
            start_training(request, deps)
            timings.append((time.perf_counter() - start) * 1000)
            if i == 0:
                first_rss, first_modules = _rss_mb(), len(sys.modules)
        deps.state.close()
    return {
        "calls": 0,
        "wall_ms": round(timings[0], 1),
        "cpu_ms": round(timings[0], 1),
        "second_ms": round(timings[1], 1),
        "added_ms": round(timings[0] - timings[1], 1),
        "added_rss_mb": round(first_rss - rss, 1),
        "added_modules": first_modules - modules,
    }


def measure_first_training() -> dict[str, Any]:
    runs = [
        json.loads(
            subprocess.check_output(
                [sys.executable, __file__, "--first-training"], cwd=ROOT, text=True
            )
        )
        for _ in range(3)
    ]
    runs.sort(key=lambda r: r["added_ms"])
    return runs[1]  # the median run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", default="10,100,1000", help="extra endpoints, comma separated")
    parser.add_argument("--first-training", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_training:
        print(json.dumps(first_training_here()))
        return
    import logging

    logging.disable(logging.WARNING)  # handlers log throttling and the like; not figures
    sizes = [int(s) for s in args.sizes.split(",") if s]
    figures = measure_sizes(sizes)
    figures["EndpointHealth"] = {
        "3": measure_endpoint_report(),
        **figures.get("EndpointHealth", {}),
    }
    figures["StateWrites"] = {"1": measure_state_writes()}
    figures["FirstTrainingProposal"] = {"1": measure_first_training()}
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print("AWS calls, wall and client CPU per handler (moto in-process, AWS page sizes emulated)")
    print(f"{'handler':<16}{'n':>6}{'calls':>7}{'wall ms':>10}{'cpu ms':>9}  calls by operation")
    for name in ("EndpointHealth", "IdleResources", "DeleteEndpoint", "ListJobs", "CostReport"):
        for n, row in figures.get(name, {}).items():
            ops = ", ".join(f"{k} {v}" for k, v in row["by_operation"].items())
            print(
                f"{name:<16}{n:>6}{row['calls']:>7}{row['wall_ms']:>10.1f}{row['cpu_ms']:>9.1f}  {ops}"
            )
    report = figures["EndpointHealth"]["3"]
    print(
        f"\nendpoint report on the demo account (3 endpoints, handler + Block Kit, warm): client "
        f"CPU {report['cpu_ms']:.2f} ms (answers replayed, median of {10 * WARM_RUNS}), wall "
        f"{report['wall_ms']:.2f} ms on moto, {report['calls']} AWS calls"
    )
    writes = figures["StateWrites"]["1"]
    print(
        f"state writes of one message (first delivery, thread, audit): {writes['wall_ms']:.3f} ms "
        f"wall, {writes['cpu_ms']:.3f} ms CPU (median of 300)"
    )
    first = figures["FirstTrainingProposal"]["1"]
    print(
        f"first training proposal in a fresh process: {first['wall_ms']:.0f} ms "
        f"(the next one {first['second_ms']:.0f} ms: {first['added_ms']:.0f} ms added), "
        f"+{first['added_rss_mb']:.1f} MB resident, +{first['added_modules']} modules "
        "(median of 3 processes)"
    )


if __name__ == "__main__":
    main()
