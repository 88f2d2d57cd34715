"""Every intent that is not mutating only reads: run each handler against the sandbox's
moto account and fail on any AWS call that is not a read.

A read is Describe*, List*, Get*, Detect*, BatchGet*, Search*, Lookup*, HeadObject, or
an inference call that changes nothing (InvokeEndpoint, TranslateText, SynthesizeSpeech).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import request

READ = re.compile(r"^((Describe|List|Get|Detect|BatchGet|Search|Lookup|Head)[A-Z]|Search$)")
READ_ONLY_INFERENCE = {"InvokeEndpoint", "TranslateText", "SynthesizeSpeech"}

# Non-mutating intent -> the slot sets to run it with (each its own code path).
SAMPLES: dict[str, list[dict[str, str]]] = {
    "TrainingStatus": [{}, {"jobName": "seeded:segments-kmeans-"}],
    "ListJobs": [{}, {"jobKind": "processing"}, {"jobKind": "labeling"}],
    "ListDatasets": [{}],
    "EndpointHealth": [{}, {"endpointName": "fraud-detector-prod"}],
    "InvokeEndpoint": [{"endpointName": "churn-xgb-prod", "payload": "1,2,3"}],
    "DetectLabels": [{"imageUri": "s3://acme-ml-data/images/cat.jpg"}],
    "AnalyzeSentiment": [{"text": "the delivery was late again"}],
    "TranslateText": [{"text": "good morning", "targetLanguage": "de"}],
    "SynthesizeSpeech": [{"text": "hello"}],
    "CostReport": [{}, {"period": "last_month", "service": "sagemaker"}],
    "BudgetStatus": [{}, {"budgetName": "ml-platform-monthly"}],
    "MonitorSummary": [{}, {"endpointName": "fraud-detector-prod"}],
    "IdleResources": [{}],
    "ListSchedules": [{}],
    "Help": [{}, {"topic": "endpoints"}],
    "AuditLog": [{}],
    "FallbackIntent": [{}],
}


def _seeded(box: Any, value: str) -> str:
    """'seeded:<prefix>': the sandbox's job of that name (seeded names carry their start time)."""
    if not value.startswith("seeded:"):
        return value
    return next(j for j in box.seeded["training_jobs"] if j.startswith(value[7:]))


def test_every_read_only_intent_has_samples(sandbox: Any) -> None:
    registry = sandbox.chatops.deps.registry
    assert set(SAMPLES) == {name for name, spec in registry.specs.items() if not spec.mutating}


@pytest.mark.parametrize("intent", sorted(SAMPLES))
def test_a_read_only_intent_makes_only_read_calls(sandbox: Any, intent: str) -> None:
    deps = sandbox.chatops.deps
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    clients = [
        deps.aws.client(service)
        for service in (
            "sagemaker",
            "sagemaker-runtime",
            "s3",
            "cloudwatch",
            "ce",
            "budgets",
            "pricing",
            "rekognition",
            "comprehend",
            "transcribe",
            "sts",
            "glue",
        )
    ]
    for client in clients:
        client.meta.events.register("before-call.*.*", record)
    try:
        for sample in SAMPLES[intent]:
            slots = {k: _seeded(sandbox, v) for k, v in sample.items()}
            spec = deps.registry.specs[intent]
            try:
                spec.handler(request(intent, "", **slots), deps)
            except Exception as exc:  # a refusal is fine; what matters is what it called
                from intents.errors import UserError

                assert isinstance(exc, UserError), f"{intent} {slots}: {exc!r}"
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.*.*", record)
    writes = [c for c in calls if not READ.match(c) and c not in READ_ONLY_INFERENCE]
    assert writes == [], f"{intent} is not mutating but called {writes}"
    if intent not in (
        "Help",
        "FallbackIntent",
        "ListSchedules",
        "AuditLog",
        "TranslateText",
        "SynthesizeSpeech",
    ):
        assert calls, f"{intent} made no AWS call at all: the hook is not seeing it"


def test_the_hook_sees_a_write(sandbox: Any) -> None:
    # The check itself: a write through the same clients is seen and is not a read.
    deps = sandbox.chatops.deps
    calls: list[str] = []
    s3 = deps.aws.client("s3")

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    s3.meta.events.register("before-call.*.*", record)
    try:
        s3.put_object(Bucket="acme-ml-data", Key="tmp/probe.txt", Body=b"x")
    finally:
        s3.meta.events.unregister("before-call.*.*", record)
    assert calls == ["PutObject"] and not READ.match(calls[0])
