"""What handlers cost on an account with 1,000 endpoints, with AWS's default page sizes.

moto pages at 100 whatever the API's default; ``AwsCalls`` (bot/sandbox/scale.py) puts
AWS's defaults and maxima back, so a listing that forgets its page size, or a call per
resource, shows here as calls. The counts are exact so that they cannot grow back
unnoticed; benchmarks/bench_scale.py prints the times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings, request

N = 1000
SERVICES = ("sagemaker", "cloudwatch", "pricing", "s3", "sts")


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Any]]:
    """One moto account for the module: 1,000 endpoints (every other one busy), 1,000
    training jobs (20 in progress), 100 processing jobs and 100 notebooks."""
    from moto import mock_aws

    from bot.app import build_deps
    from bot.sandbox.scale import AwsCalls, fast_metric_data, seed_extra
    from bot.state import open_state
    from intents.clients import AwsClients

    tmp: Path = tmp_path_factory.mktemp("scale")
    with mock_aws(), fast_metric_data():
        aws = AwsClients("us-east-1")
        seeded = seed_extra(aws, N)
        settings = make_settings(tmp, price_list_api=True)
        state = open_state(settings.state_db)
        calls = AwsCalls().attach(*(aws.client(s) for s in SERVICES))
        yield build_deps(settings, state, aws=aws), calls, seeded
        calls.detach()
        state.close()


def _calls(account: tuple[Any, Any, Any], intent: str, **slots: str) -> tuple[Any, Counter[str]]:
    from intents.metrics import forget_variants
    from intents.pricing import clear_cache

    deps, calls, _ = account
    clear_cache()  # what a fresh process pays
    forget_variants()
    calls.reset()
    reply = deps.registry.specs[intent].handler(request(intent, **slots), deps)
    return reply, Counter(calls.calls)


def test_endpoint_health_lists_a_hundred_endpoints_a_call(account: Any) -> None:
    reply, calls = _calls(account, "EndpointHealth")
    assert "1,000 endpoints" in reply.summary or "1000 endpoints" in reply.summary
    # 1,000 endpoints, 100 a page; 500 busy ones' metrics: one ListMetrics page (500 a
    # page), the 4 statistics the list shows for each, 2,000 queries in 4 calls of 500.
    assert calls == {"ListEndpoints": 10, "ListMetrics": 1, "GetMetricData": 4}


def test_list_jobs_counts_every_job_a_hundred_a_call(account: Any) -> None:
    reply, calls = _calls(account, "ListJobs")
    # 1,000 training jobs, 100 a page; 100 processing jobs; one call for each other kind
    assert calls["ListTrainingJobs"] == 10 and calls["ListProcessingJobs"] == 1
    assert sum(calls.values()) == 14
    text = "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)
    assert "*Training* · 20 in progress, 1,000 listed" in text
    assert "…and 992 more (the whole list in training-jobs.csv)" in text
    training = next(f for f in reply.files if f.filename == "training-jobs.csv")
    rows = training.content.decode().splitlines()
    assert len(rows) == 1001
    # in progress first, then the newest
    assert all(",InProgress," in r for r in rows[1:21]) and ",InProgress," not in rows[21]


def test_idle_resources_describes_only_what_it_reports(account: Any) -> None:
    reply, calls = _calls(account, "IdleResources")
    # 500 quiet endpoints: the first 10 are described and priced, the rest counted;
    # 20 training jobs in progress come from one Search; prices from one look-up
    # (moto's Price List API fails, and is then left alone); Studio apps: one listing
    # (none here, so nothing to describe).
    assert calls == {
        "ListEndpoints": 10,
        "ListMetrics": 1,
        "GetMetricData": 1,  # invocations only: 500 queries
        "DescribeEndpoint": 10,
        "DescribeEndpointConfig": 10,
        "GetProducts": 1,
        "ListNotebookInstances": 1,
        "ListApps": 1,
        "Search": 1,
    }
    text = "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)
    # the true remainders, the priced (most expensive) endpoints first, all of it as CSV
    assert "…and 495 more endpoints with no invocations in 24 h (the whole list is in" in text
    assert "…and 45 more notebooks left running" in text
    assert "…and 5 more training jobs that look stuck" in text
    assert text.count("Training job *scale-train-") == 5  # the stuck ones, started 2 h ago
    assert reply.summary.startswith("560 idle or stuck resources, at least $")
    assert "(and 490 more not priced)" in text
    (listed,) = reply.files
    rows = listed.content.decode().splitlines()
    assert len(rows) == 561 and sum(r.startswith("endpoint,") for r in rows) == 500
    priced = [float(r.split(",")[4]) for r in rows if r.startswith("endpoint,") and r.split(",")[4]]
    assert len(priced) == 10 and priced == sorted(priced, reverse=True)


def test_a_delete_proposal_finds_who_shares_the_configuration_with_one_search(
    account: Any,
) -> None:
    seeded = account[2]
    one, other = seeded.sharing
    proposal, calls = _calls(account, "DeleteEndpoint", endpointName=one)
    # the endpoint, one Search by configuration, the endpoints changed in the last
    # minutes (none here), the last 24 h's traffic, its tags
    assert calls == {
        "DescribeEndpoint": 1,
        "Search": 1,
        "ListEndpoints": 1,
        "GetMetricData": 1,
        "ListTags": 1,  # its tags: is it production? (the policy's second person)
    }
    assert f"kept: also used by {other}" in str(dict(proposal.details)["Configuration"])
