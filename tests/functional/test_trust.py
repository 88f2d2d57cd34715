"""Trust, as a user in the sandbox (its policy: carol approves and administers; alice and
bob are ML engineers): production needs a second person, every request gets its own card,
a yes decides only its card's thread, and the audit log keeps to its channel."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox import CHANNEL
from tests.conftest import blocks_text, click, say


def _audit(sandbox: Any, channel: str) -> str:
    entries = sandbox.chatops.state.audit_entries(200, channel=channel)
    return "\n".join(f"{e.user} {e.intent} {e.outcome} {e.detail}" for e in entries)


def test_bob_cannot_approve_deleting_the_busiest_production_endpoint_carol_can(
    sandbox: Any,
) -> None:
    card = say(sandbox, "delete endpoint churn-xgb-prod", user="U0BOB")
    assert len(card) == 1 and "Needs a second person" in blocks_text(card[0])
    assert "tagged env=prod" in blocks_text(card[0]) and "<@U0CAROL>" in blocks_text(card[0])
    # Bob's own approval: refused, privately
    refused = click(sandbox, "Approve", "U0BOB")
    assert [(r.kind, r.user) for r in refused] == [("ephemeral", "U0BOB")]
    endpoints = sandbox.chatops.deps.aws.sagemaker.list_endpoints()["Endpoints"]
    assert "churn-xgb-prod" in {e["EndpointName"] for e in endpoints}
    # Carol's: it runs
    done = click(sandbox, "Approve", "U0CAROL")
    assert "Deleted endpoint" in blocks_text(done[-1]) and "Approved by <@U0CAROL>" in blocks_text(
        done[-1]
    )
    # Both facts are in the channel's audit log
    log = _audit(sandbox, CHANNEL)
    assert "U0BOB DeleteEndpoint refused" in log and "needs a second person" in log
    assert "U0CAROL DeleteEndpoint approved" in log and "U0CAROL DeleteEndpoint done" in log


def test_two_requests_in_a_row_get_two_cards_each_with_its_own_target(sandbox: Any) -> None:
    first = say(sandbox, "delete endpoint recsys-staging", user="U0ALICE")
    second = say(sandbox, "delete endpoint fraud-detector-prod", user="U0ALICE")
    assert "Delete endpoint recsys-staging" in blocks_text(first[0])
    assert "Delete endpoint fraud-detector-prod" in blocks_text(second[0])
    assert first[0].buttons()[0]["value"] != second[0].buttons()[0]["value"]


def test_a_top_level_yes_approves_nothing(sandbox: Any) -> None:
    card = say(sandbox, "delete endpoint recsys-staging", user="U0ALICE")[0]
    plan_id = card.buttons()[0]["value"]
    say(sandbox, "yes", user="U0ALICE")  # a new message in the channel, not in the card's thread
    assert sandbox.chatops.state.plan(plan_id).state == "pending"
    endpoints = sandbox.chatops.deps.aws.sagemaker.list_endpoints()["Endpoints"]
    assert "recsys-staging" in {e["EndpointName"] for e in endpoints}


def test_a_card_proposed_in_a_dm_is_not_in_the_channels_audit_log(sandbox: Any) -> None:
    dm = "D0ALICE"
    card = say(
        sandbox,
        "train kmeans on s3://acme-ml-data/segments/customers.csv",
        channel=dm,
        channel_type="im",
    )
    assert card and "Confirm: Start training job kmeans-" in blocks_text(card[0])
    assert "StartTraining proposed Start training job kmeans-" in _audit(sandbox, dm)
    assert "kmeans" not in _audit(sandbox, CHANNEL)
    # Asked in the channel, the audit log shows the channel's entries only
    shown = blocks_text(say(sandbox, "show the audit log", user="U0ALICE")[0])
    assert "DeleteEndpoint" in shown and "kmeans" not in shown
    # Asked in the DM, it shows Alice's own requests, the DM's card among them
    mine = blocks_text(say(sandbox, "show the audit log", channel=dm, channel_type="im")[0])
    assert "kmeans" in mine


def test_a_question_asked_in_a_thread_is_answered_only_there(sandbox: Any) -> None:
    """ "What should I send?" waits for its answer in its own thread: a new message
    elsewhere is a new request, never the data sent to the model."""
    asked = say(sandbox, "predict with fraud-detector-prod")
    assert len(asked) == 1 and "What should I send?" in blocks_text(asked[0])
    thread = asked[0].thread_ts
    elsewhere = say(sandbox, "thanks!")  # a new top-level message
    assert [r.thread_ts for r in elsewhere] != [thread]
    assert not any("fraud-detector-prod" in blocks_text(r) for r in elsewhere)
    answered = say(sandbox, "1.5,2.0,0.3", thread_ts=thread)
    assert [r.thread_ts for r in answered] == [thread]
    assert re.search(r"fraud-detector-prod\W+\s*\d+\.\d+", blocks_text(answered[0]))
    audit = _audit(sandbox, CHANNEL)
    assert audit.count("InvokeEndpoint answered") == 1


def test_should_we_delete_asks_which_is_meant_and_proposes_nothing(sandbox: Any) -> None:
    pending = sandbox.chatops.state.recent_plans(requester="U0ALICE", state="pending")
    answer = say(sandbox, "should we delete recsys-staging?")
    assert len(answer) == 1
    labels = [b["text"]["text"] for b in answer[0].buttons()]
    assert labels == ["Check recsys-staging", "Delete recsys-staging"]
    assert sandbox.chatops.state.recent_plans(requester="U0ALICE", state="pending") == pending
    # a question about no change is answered as one
    worry = say(sandbox, "should we worry about recsys-staging?")
    assert "ENDPOINT RECSYS-STAGING" in blocks_text(worry[0]).upper() and not worry[0].buttons()
