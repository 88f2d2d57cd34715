from __future__ import annotations

from typing import Any

from intents.meta import audit_log, fallback, help_
from tests.conftest import request


def test_help_lists_every_registered_intent_grouped_with_an_example(deps: Any) -> None:
    reply = help_(request("Help"), deps)
    text = "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)
    for name, spec in deps.registry.specs.items():
        if name != "FallbackIntent":
            assert spec.example in text, name
    assert text.index("SageMaker training and jobs") < text.index("Endpoints")


def test_help_on_one_topic(deps: Any) -> None:
    reply = help_(request("Help", topic="endpoints"), deps)
    text = "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)
    assert "Endpoints" in text and "SageMaker training" not in text


def test_fallback_points_to_help(deps: Any) -> None:
    assert "help" in fallback(request("FallbackIntent"), deps).summary


def test_audit_log_most_recent_first(deps: Any) -> None:
    deps.state.audit(
        request_id="r-1", user="U1", channel="C", intent="Help", slots={}, outcome="answered"
    )
    deps.state.audit(
        request_id="r-2",
        user="U2",
        channel="C",
        intent="StartTraining",
        slots={},
        outcome="proposed",
    )
    reply = audit_log(request("AuditLog"), deps)
    body = str(reply.blocks[1].text)
    assert body.index("StartTraining") < body.index("Help")
