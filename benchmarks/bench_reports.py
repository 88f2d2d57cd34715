"""What the reports cost: chart drawing time, matplotlib's import, and AWS calls as the
account grows (prints figures; asserts nothing).

    python benchmarks/bench_reports.py [--json] [--sizes 10,100,1000]

1. matplotlib: the import the first chart pays, in a fresh process (median of 3).
2. Each chart (cost per day, endpoint traffic, budgets): the first draw in this process
   and the median of 10 warm draws, with the PNG's size.
3. For each n, moto (in-process) holds the demo account plus n endpoints (every other one
   busy), n training jobs, n/10 notebooks (bot/sandbox/scale.py), with AWS's default page
   sizes emulated: each report's AWS calls by operation. The endpoint report's
   GetMetricData queries (4 statistics per busy endpoint, 5-minute periods) and calls are
   printed beside ceil(queries / 500), which the calls must equal.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
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
SERVICES = ("sagemaker", "cloudwatch", "pricing", "ce", "budgets", "s3", "sts", "trustedadvisor")


def matplotlib_import_ms() -> float:
    code = (
        "import time; t = time.perf_counter();"
        "import matplotlib.figure, matplotlib.backends.backend_agg;"
        "print((time.perf_counter() - t) * 1000)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return round(statistics.median(runs), 1)


def chart_times() -> dict[str, dict[str, float]]:
    from intents.charts import (
        BudgetBar,
        EndpointSeries,
        ForecastDay,
        budget_chart,
        cost_chart,
        endpoint_chart,
    )

    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(27)]
    services = [(f"Service {i}", [100.0 / (i + 1)] * 27) for i in range(6)] + [
        ("Other (31 services)", [5.0] * 27)
    ]
    forecast = [
        ForecastDay(date(2026, 11, 28) + timedelta(days=i), 190.0, 170.0, 210.0) for i in range(3)
    ]
    times = [datetime(2026, 11, 27, 11, tzinfo=UTC) + timedelta(minutes=5 * i) for i in range(12)]
    series = EndpointSeries(times, [600.0] * 12, [1.0] * 12, [30.0] * 12, [870.0] * 12)
    bars = [BudgetBar(f"budget-{i}", 100.0 * i, 1000.0, 120.0 * i) for i in range(15)]
    charts = {
        "cost (27 days x 7 series + forecast)": lambda: cost_chart(
            "Costs this month", days, services, forecast
        ),
        "endpoint (12 five-minute periods x 3 plots)": lambda: endpoint_chart(
            "ep", series, window="last hour"
        ),
        "budgets (15 bars)": lambda: budget_chart(bars),
    }
    out = {}
    for name, draw in charts.items():
        start = time.perf_counter()
        first = draw()
        first_ms = (time.perf_counter() - start) * 1000
        warm = []
        for _ in range(10):
            start = time.perf_counter()
            draw()
            warm.append((time.perf_counter() - start) * 1000)
        assert first is not None
        out[name] = {
            "first_ms": round(first_ms, 1),
            "warm_ms": round(statistics.median(warm), 1),
            "png_kb": round(len(first.content) / 1024, 1),
        }
    return out


def _request(intent: str, **slots: str) -> Any:
    from intents.base import Request

    return Request(
        id="r-bench002",
        intent=intent,
        slots=slots,
        user="U0ALICE",
        channel="C0MLOPS",
        team="T0BENCH",
        origin_key=f"msg:T0BENCH:C0MLOPS:1795757756.{abs(hash((intent, *slots.items()))) % 10**6:06d}",
    )


def report_calls(sizes: list[int]) -> dict[str, dict[str, Any]]:
    from moto import mock_aws

    from bot.app import build_deps
    from bot.sandbox import moto_ext, seed
    from bot.sandbox.scale import AwsCalls, fast_metric_data, seed_extra
    from bot.settings import Settings
    from bot.state import open_state
    from intents import metrics, pricing
    from intents.clients import AwsClients

    reports = {
        "EndpointHealth": {},
        "IdleResources": {},
        "CostReport": {"period": "this_month"},
        "BudgetStatus": {},
        "MonitorSummary": {},
        "ListJobs": {},
    }
    moto_ext.install(scale=0)
    out: dict[str, dict[str, Any]] = {}
    with fast_metric_data():
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp, mock_aws():
                moto_ext.reset()
                aws = AwsClients(seed.REGION)
                moto_ext.answer_trusted_advisor(aws.client("trustedadvisor"))
                seed.seed(aws)
                if n:
                    seed_extra(aws, n)
                settings = Settings(
                    _env_file=None,
                    slack_bot_token="xoxb-bench",
                    slack_signing_secret="bench",
                    state_db=Path(tmp) / "state.db",
                    aws_region=seed.REGION,
                    price_list_api=True,
                )  # type: ignore[call-arg]
                deps = build_deps(settings, open_state(settings.state_db), aws=aws)
                calls = AwsCalls().attach(*(aws.client(s) for s in SERVICES))
                queries: list[int] = []

                def count(params: dict[str, Any], queries: list[int] = queries, **_: Any) -> None:
                    queries.append(len(params.get("MetricDataQueries", [])))

                aws.cloudwatch.meta.events.register(
                    "before-parameter-build.cloudwatch.GetMetricData", count
                )
                for intent, slots in reports.items():
                    pricing.clear_cache()
                    metrics.forget_variants()
                    calls.reset()
                    queries.clear()
                    start = time.perf_counter()
                    reply = deps.registry.specs[intent].handler(_request(intent, **slots), deps)
                    wall = (time.perf_counter() - start) * 1000
                    counted = dict(sorted(calls.calls.items()))
                    row: dict[str, Any] = {
                        "calls": sum(counted.values()),
                        "by_operation": counted,
                        "wall_ms": round(wall, 1),
                        "files": [f.filename for f in reply.files],
                    }
                    if queries:
                        row["metric_queries"] = sum(queries)
                        row["ceil_queries_500"] = math.ceil(sum(queries) / 500)
                    out.setdefault(intent, {})[str(n)] = row
                calls.detach()
                deps.state.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    figures = {
        "matplotlib_import_ms": matplotlib_import_ms(),
        "charts": chart_times(),
        "reports": report_calls(sizes),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"matplotlib import (fresh process, median of 3): {figures['matplotlib_import_ms']} ms")
    print("\nchart                                         first draw   warm (median of 10)   PNG")
    for name, c in figures["charts"].items():
        print(
            f"{name:<45} {c['first_ms']:>8.1f} ms {c['warm_ms']:>12.1f} ms {c['png_kb']:>12.1f} KB"
        )
    print("\nAWS calls per report (demo account + n endpoints, AWS's page sizes emulated)")
    for intent, by_size in figures["reports"].items():
        for n, row in by_size.items():
            extra = ""
            if "metric_queries" in row:
                get = row["by_operation"].get("GetMetricData", 0)
                extra = (
                    f"  GetMetricData {get} for {row['metric_queries']} queries "
                    f"(ceil(q/500) = {row['ceil_queries_500']})"
                )
            print(f"{intent:<15} n={n:<6} {row['calls']:>4} calls {row['wall_ms']:>8.0f} ms{extra}")
            print(f"{'':<22} {row['by_operation']}  files: {row['files']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
