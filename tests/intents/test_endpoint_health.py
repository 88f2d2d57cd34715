from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intents.endpoints import endpoint_health
from intents.errors import InvalidInput, NotFound
from tests.conftest import request


def _endpoint(sm: Any, name: str) -> None:
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/R",
        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://b/m.tar.gz"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-cfg",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-cfg")


def _metrics(cw: Any, name: str, calls: int, errors_5xx: int, latency_ms: float) -> None:
    now = datetime.now(UTC)
    dims = [{"Name": "EndpointName", "Value": name}, {"Name": "VariantName", "Value": "AllTraffic"}]
    data = []
    for minute in range(1, 11):
        ts = now - timedelta(minutes=minute)
        data += [
            {"MetricName": "Invocations", "Dimensions": dims, "Timestamp": ts, "Value": calls / 10},
            {
                "MetricName": "Invocation5XXErrors",
                "Dimensions": dims,
                "Timestamp": ts,
                "Value": errors_5xx / 10,
            },
            {"MetricName": "Invocation4XXErrors", "Dimensions": dims, "Timestamp": ts, "Value": 0},
            {
                "MetricName": "ModelLatency",
                "Dimensions": dims,
                "Timestamp": ts,
                "Value": latency_ms * 1000,
            },
        ]
    cw.put_metric_data(Namespace="AWS/SageMaker", MetricData=data)


def test_unhealthy_endpoints_come_first_with_their_error_count(deps: Any) -> None:
    sm, cw = deps.aws.sagemaker, deps.aws.cloudwatch
    for name in ("alpha-prod", "beta-prod", "gamma-idle"):
        _endpoint(sm, name)
    _metrics(cw, "alpha-prod", calls=1000, errors_5xx=0, latency_ms=30)
    _metrics(cw, "beta-prod", calls=1000, errors_5xx=120, latency_ms=900)
    reply = endpoint_health(request("EndpointHealth"), deps)
    rows = [
        b.text
        for b in reply.blocks
        if (getattr(b, "text", "") and "prod" in getattr(b, "text", ""))
        or "idle" in str(getattr(b, "text", ""))
    ]
    assert "beta-prod" in rows[0] and "120 5xx errors (12.0%)" in rows[0] and "900 ms" in rows[0]
    assert "gamma-idle" in rows[1] and "no invocations" in rows[1]
    assert "alpha-prod" in rows[2] and "1,000 invocations" in rows[2]
    assert reply.summary.startswith("1 of 3 endpoints need attention: beta-prod")


def test_metrics_are_fetched_in_one_batched_call_for_all_endpoints(deps: Any) -> None:
    sm, cw = deps.aws.sagemaker, deps.aws.cloudwatch
    for i in range(30):
        _endpoint(sm, f"ep-{i}")
        _metrics(cw, f"ep-{i}", calls=10, errors_5xx=0, latency_ms=10)
    calls: list[str] = []
    cw.meta.events.register("before-call.cloudwatch.GetMetricData", lambda **kw: calls.append("x"))
    reply = endpoint_health(request("EndpointHealth"), deps)
    assert "All 30 endpoints look healthy." in reply.summary
    assert len(calls) == 1  # 30 endpoints x 5 metrics = 150 queries, one call


def test_one_endpoint_in_detail(deps: Any) -> None:
    _endpoint(deps.aws.sagemaker, "beta-prod")
    _metrics(deps.aws.cloudwatch, "beta-prod", calls=500, errors_5xx=50, latency_ms=100)
    reply = endpoint_health(request("EndpointHealth", endpointName="beta-prod"), deps)
    fields = dict(next(b for b in reply.blocks if getattr(b, "fields", ())).fields)
    assert fields["Invocations (1 h)"] == "500" and fields["5xx errors"] == "50 (10.0%)"
    assert "ml.m5.large × 1" in fields["Variants"]


def test_unknown_or_malformed_endpoint_names(deps: Any) -> None:
    _endpoint(deps.aws.sagemaker, "fraud-detector-prod")
    with pytest.raises(NotFound) as err:
        endpoint_health(request("EndpointHealth", endpointName="fraud-detektor-prod"), deps)
    assert "fraud-detector-prod" in err.value.hint
    with pytest.raises(InvalidInput):
        endpoint_health(request("EndpointHealth", endpointName="bad name!"), deps)


def test_no_endpoints(deps: Any) -> None:
    assert "no SageMaker endpoints" in endpoint_health(request("EndpointHealth"), deps).summary
