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


def test_the_endpoint_that_needs_attention_gets_a_five_minute_chart(deps: Any) -> None:
    sm, cw = deps.aws.sagemaker, deps.aws.cloudwatch
    for name in ("alpha-prod", "beta-prod"):
        _endpoint(sm, name)
    _metrics(cw, "alpha-prod", calls=1000, errors_5xx=0, latency_ms=30)
    _metrics(cw, "beta-prod", calls=1000, errors_5xx=120, latency_ms=900)
    reply = endpoint_health(request("EndpointHealth"), deps)
    (chart,) = reply.files  # only beta-prod needs attention
    assert chart.filename == "endpoint-beta-prod.png" and chart.content.startswith(b"\x89PNG")
    # the series add up to the totals the message shows
    assert "1,000 invocations, 120 5xx and 0 4xx errors" in chart.alt
    assert "5-minute periods" in chart.alt and "900 ms" in chart.alt


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


# ---------------------------------------------------------------------------- long listings


def _summary(name: str, status: str = "InService") -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "EndpointName": name,
        "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
        "CreationTime": now,
        "LastModifiedTime": now,
        "EndpointStatus": status,
    }


def _page(names: list[str], token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"Endpoints": [_summary(n) for n in names]}
    if token:
        page["NextToken"] = token
    return page


def test_throttled_part_way_the_reply_says_the_data_is_partial(deps: Any) -> None:
    from botocore.stub import Stubber

    sm = deps.aws.sagemaker
    with Stubber(sm) as stub:
        # Given AWS that answers the first page, then keeps throttling (after the client's retries)
        stub.add_response("list_endpoints", _page(["ep-a", "ep-b"], "t2"), {"MaxResults": 100})
        stub.add_client_error(
            "list_endpoints", "ThrottlingException", "Rate exceeded", 400, expected_params=None
        )
        reply = endpoint_health(request("EndpointHealth"), deps)
    # Then the endpoints of the first page are there, and the reply says it is partial
    text = " ".join(str(getattr(b, "text", "")) for b in reply.blocks)
    assert "ep-a" in text and "ep-b" in text
    assert "Partial data: AWS kept throttling the endpoints listing" in text
    assert reply.summary.endswith("(partial: AWS kept throttling the listing)")


def test_throttled_from_the_start_it_is_an_aws_problem(deps: Any) -> None:
    from botocore.exceptions import ClientError
    from botocore.stub import Stubber

    from intents.aws import translate

    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_client_error("list_endpoints", "ThrottlingException", "Rate exceeded", 400)
        with pytest.raises(ClientError) as err:
            endpoint_health(request("EndpointHealth"), deps)
    problem = translate(err.value)
    assert problem is not None and "throttling" in problem.message


def test_a_throttled_page_is_retried_and_the_answer_is_whole(deps: Any, monkeypatch: Any) -> None:
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0
    )
    sm = deps.aws.sagemaker
    _endpoint(sm, "ep-000")
    for i in range(1, 150):
        sm.create_endpoint(EndpointName=f"ep-{i:03d}", EndpointConfigName="ep-000-cfg")
    throttles = {"left": 2}

    class Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_: Any) -> Any:
            yield self.body

    def throttle_second_page(request: Any, **_: Any) -> Any:
        if b"NextToken" in (request.body or b"") and throttles["left"]:
            throttles["left"] -= 1
            body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
            return AWSResponse(request.url, 400, HTTPHeaders(), Raw(body))
        return None

    # Given the second page throttled twice (the client makes up to 4 attempts)
    sm.meta.events.register_first("before-send.sagemaker.ListEndpoints", throttle_second_page)
    reply = endpoint_health(request("EndpointHealth"), deps)
    # Then the retries got it, and the answer covers every endpoint
    assert throttles["left"] == 0
    assert reply.summary == "All 150 endpoints look healthy."
    assert "Partial" not in " ".join(str(getattr(b, "text", "")) for b in reply.blocks)


def test_an_empty_page_with_a_next_token_is_not_the_end(deps: Any) -> None:
    from botocore.stub import Stubber

    with Stubber(deps.aws.sagemaker) as stub:
        stub.add_response("list_endpoints", _page([], "t2"), {"MaxResults": 100})
        stub.add_response(
            "list_endpoints", _page(["ep-late"]), {"MaxResults": 100, "NextToken": "t2"}
        )
        reply = endpoint_health(request("EndpointHealth"), deps)
    assert reply.summary == "All 1 endpoints look healthy."
    assert "ep-late" in " ".join(str(getattr(b, "text", "")) for b in reply.blocks)


def test_ten_thousand_endpoints_take_a_hundred_pages_and_one_bounded_message(deps: Any) -> None:
    from botocore.stub import Stubber

    names = [f"ep-{i:05d}" for i in range(10_000)]
    with Stubber(deps.aws.sagemaker) as stub:
        for p in range(100):
            params: dict[str, Any] = {"MaxResults": 100}
            if p:
                params["NextToken"] = f"t{p}"
            token = f"t{p + 1}" if p < 99 else None
            stub.add_response(
                "list_endpoints", _page(names[p * 100 : p * 100 + 100], token), params
            )
        reply = endpoint_health(request("EndpointHealth"), deps)
        stub.assert_no_pending_responses()
    assert reply.summary == "All 10000 endpoints look healthy."
    assert len(reply.blocks) <= 50  # what Slack takes in one message
    more = str(reply.blocks[-2].text)
    assert more.startswith("…and 9,980 more endpoints (the whole list is in endpoint-health-")
    (listed,) = reply.files  # all healthy: no chart; every endpoint in the CSV
    assert listed.content.decode().count("\n") == 10_001


def test_which_variants_report_metrics_is_listed_once_in_five_minutes(deps: Any) -> None:
    from intents.metrics import VARIANTS_SECONDS, variants_by_endpoint

    cw = deps.aws.cloudwatch
    _endpoint(deps.aws.sagemaker, "alpha-prod")
    _metrics(cw, "alpha-prod", calls=100, errors_5xx=0, latency_ms=20)
    listed: list[str] = []
    cw.meta.events.register("before-call.cloudwatch.ListMetrics", lambda **_: listed.append("x"))
    first = variants_by_endpoint(cw, now=1000.0)
    again = variants_by_endpoint(cw, now=1000.0 + VARIANTS_SECONDS - 1)
    assert first == again == {"alpha-prod": ["AllTraffic"]} and len(listed) == 1
    variants_by_endpoint(cw, now=1000.0 + VARIANTS_SECONDS)
    assert len(listed) == 2


def test_the_list_asks_only_for_the_statistics_it_shows(deps: Any) -> None:
    sm, cw = deps.aws.sagemaker, deps.aws.cloudwatch
    _endpoint(sm, "alpha-prod")
    _metrics(cw, "alpha-prod", calls=100, errors_5xx=0, latency_ms=20)
    asked: list[str] = []
    cw.meta.events.register(
        "before-parameter-build.cloudwatch.GetMetricData",
        lambda params, **_: asked.extend(
            q["MetricStat"]["Metric"]["MetricName"] for q in params["MetricDataQueries"]
        ),
    )
    endpoint_health(request("EndpointHealth"), deps)
    assert sorted(asked) == [
        "Invocation4XXErrors",
        "Invocation5XXErrors",
        "Invocations",
        "ModelLatency",
    ]


def test_cloudwatch_requests_skip_the_client_side_check_and_others_keep_it(deps: Any) -> None:
    from botocore.validate import ParamValidationDecorator

    # (meta.config does not show it: the client's serializer is what checks parameters)
    assert not isinstance(deps.aws.cloudwatch._serializer, ParamValidationDecorator)
    assert isinstance(deps.aws.sagemaker._serializer, ParamValidationDecorator)
