from __future__ import annotations

import dataclasses
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


def _log(deps: Any, user: str, channel: str, intent: str, detail: str = "") -> None:
    deps.state.audit(
        request_id=f"r-{user}-{intent}",
        user=user,
        channel=channel,
        intent=intent,
        slots={},
        outcome="proposed",
        detail=detail,
    )


def _body(reply: Any) -> str:
    return "\n".join(str(getattr(b, "text", "")) for b in reply.blocks)


def test_the_audit_log_shows_this_channels_entries_most_recent_first(deps: Any) -> None:
    _log(deps, "U1", "C0MLOPS", "Help")
    _log(deps, "U2", "C0MLOPS", "StartTraining")
    _log(deps, "U3", "G0PRIVATE", "DeleteEndpoint")  # a private channel elsewhere
    _log(deps, "U0ALICE", "D0ALICE", "TranslateText")  # a DM
    body = _body(audit_log(request("AuditLog"), deps))
    assert body.index("StartTraining") < body.index("Help")
    assert "DeleteEndpoint" not in body and "TranslateText" not in body
    assert "this channel" in body


def test_in_a_dm_the_audit_log_is_the_askers_own(deps: Any) -> None:
    _log(deps, "U0ALICE", "C0MLOPS", "StartTraining")
    _log(deps, "U0BOB", "C0MLOPS", "DeleteEndpoint")
    dm = dataclasses.replace(request("AuditLog"), channel="D0ALICE", source="dm")
    body = _body(audit_log(dm, deps))
    assert "StartTraining" in body and "DeleteEndpoint" not in body and "your own requests" in body


def test_only_admins_see_every_channel(deps: Any) -> None:
    _log(deps, "U3", "G0PRIVATE", "DeleteEndpoint")
    asked = dataclasses.replace(request("AuditLog"), text="show the audit log for all channels")
    assert "DeleteEndpoint" not in _body(audit_log(asked, deps))

    class Admins:
        def may_ask(self, request: Any, intent: str) -> bool:
            return True

        def is_admin(self, user: str) -> bool:
            return user == "U0ALICE"

    admin = dataclasses.replace(deps, permissions=Admins())
    body = _body(audit_log(asked, admin))
    assert "DeleteEndpoint" in body and "<#G0PRIVATE>" in body and "every channel" in body


def test_long_details_are_cut_on_a_word_boundary(deps: Any) -> None:
    _log(deps, "U1", "C0MLOPS", "StartTraining", "Start training job " + "xgboost-model " * 20)
    row = _body(audit_log(request("AuditLog"), deps))
    assert "xgboost-model…" in row and "xgboost-mod…" not in row


def test_who_changed_a_resource_merges_in_cloudtrail(deps: Any) -> None:
    from datetime import UTC, datetime

    from botocore.stub import ANY, Stubber

    asked = dataclasses.replace(request("AuditLog"), text="who deleted endpoint churn-xgb-prod?")
    with Stubber(deps.aws.cloudtrail) as stub:
        stub.add_response(
            "lookup_events",
            {
                "Events": [
                    {
                        "EventId": "e1",
                        "EventName": "DeleteEndpoint",
                        "ReadOnly": "false",
                        "EventTime": datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
                        "Username": "dana",
                        "EventSource": "sagemaker.amazonaws.com",
                    },
                    {
                        "EventId": "e2",
                        "EventName": "DescribeEndpoint",
                        "ReadOnly": "true",
                        "EventTime": datetime(2026, 11, 28, 9, 29, tzinfo=UTC),
                        "Username": "bot",
                        "EventSource": "sagemaker.amazonaws.com",
                    },
                ]
            },
            {
                "LookupAttributes": [
                    {"AttributeKey": "ResourceName", "AttributeValue": "churn-xgb-prod"}
                ],
                "StartTime": ANY,
                "EndTime": ANY,
                "MaxResults": 50,
            },
        )
        body = _body(audit_log(asked, deps))
    assert "*DeleteEndpoint* by dana" in body and "DescribeEndpoint" not in body


def test_without_cloudtrail_the_audit_log_says_so(deps: Any) -> None:
    from botocore.stub import Stubber

    asked = dataclasses.replace(request("AuditLog"), text="who deleted endpoint churn-xgb-prod?")
    with Stubber(deps.aws.cloudtrail) as stub:
        stub.add_client_error("lookup_events", "AccessDeniedException", "no", 400)
        body = _body(audit_log(asked, deps))
    assert "CloudTrail could not be asked about churn-xgb-prod" in body


def test_help_lists_only_what_the_asker_may_do(deps: Any) -> None:
    class ReadOnly:
        def may_ask(self, request: Any, intent: str) -> bool:
            return not deps.registry.specs[intent].mutating

        def is_admin(self, user: str) -> bool:
            return False

    text = _body(help_(request("Help"), dataclasses.replace(deps, permissions=ReadOnly())))
    assert "are my endpoints healthy" in text
    assert "asks first" not in text and "delete endpoint" not in text
