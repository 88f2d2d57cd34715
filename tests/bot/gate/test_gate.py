"""The gate's rules, one by one, over a fake outbox, a scripted language runtime and an
injected registry: no Slack, no AWS, a real SQLite state file."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_deps
from bot.gate import Gate
from bot.gate.access import Access
from bot.gate.types import Decision, Message
from bot.policy import load_policy
from bot.render.cards import APPROVE
from bot.state.sqlite import SqliteState
from intents.clients import AwsClients
from lex.commands import Parsed
from lex.runtime import Understanding
from tests.bot.gate.fakes import Calls, FakeOutbox, FixedCommands, ScriptedUnderstander, registry
from tests.conftest import make_settings

T0 = 1_800_000_000.0


@dataclass
class World:
    gate: Gate
    state: SqliteState
    outbox: FakeOutbox
    lex: ScriptedUnderstander
    calls: Calls
    now: list[float]
    n: int = 0

    def say(
        self,
        text: str,
        u: Understanding | None = None,
        *,
        user: str = "U0ALICE",
        addressed: bool = True,
        key: str | None = None,
        source: str = "message",
        channel: str = "C1",
        thread: str = "1.0",
        user_team: str = "T1",
    ) -> Any:
        if u is not None:
            self.lex.script[text] = u
        self.n += 1
        message = Message(
            team="T1",
            channel=channel,
            user=user,
            text=text,
            source=source,  # type: ignore[arg-type]
            addressed=addressed,
            delivery_key=key or f"msg:T1:{channel}:{self.n}",
            thread_ts=thread,
            user_team=user_team,
        )
        return self.gate.answer(message, "r-00000001")

    def click(
        self,
        plan_id: str,
        user: str,
        *,
        approve: bool = True,
        channel: str = "C1",
        user_team: str = "T1",
    ) -> None:
        decision = Decision(plan_id, approve, user, "T1", channel, user_team=user_team)
        self.gate.click(decision, "r-00000002")

    def audit(self) -> list[tuple[str, str, str]]:
        return [(e.user, e.intent, e.outcome) for e in reversed(self.state.audit_entries(100))]


def ready(intent: str, confidence: float = 0.95, **slots: str) -> Understanding:
    return Understanding(intent, dict(slots), confidence=confidence)


@pytest.fixture
def world(tmp_path: Path) -> World:
    settings = make_settings(tmp_path, sagemaker_role_arn=None)
    state = SqliteState(tmp_path / "state.db")
    calls = Calls()
    now = [T0]
    deps = build_deps(
        settings, state, aws=AwsClients("us-east-1"), registry=registry(calls), clock=lambda: now[0]
    )
    outbox, lex = FakeOutbox(), ScriptedUnderstander()
    gate = Gate(
        deps,
        state,
        lex,
        FixedCommands(),
        outbox,
        access=Access(load_policy(None, approvers=["U0CAROL"], bot_channels=["C1"]), deps.registry),
        ttl_seconds=900,
        env_name=lambda n: f"CHATOPS_{n.upper()}",
    )  # type: ignore[arg-type]
    return World(gate, state, outbox, lex, calls, now)


def text(reply: Any) -> str:
    return reply.summary + " " + " ".join(str(getattr(b, "text", "")) for b in reply.blocks)


def propose(world: World, thing: str = "ep-a", user: str = "U0ALICE") -> str:
    answer = world.say(
        f"change {thing}",
        Understanding("Change", {"thing": thing}, dialog="ConfirmIntent", state="InProgress"),
        user=user,
    )
    assert answer.plan_id is not None
    return str(answer.plan_id)


# ---------------------------------------------------------------------------- answering


def test_a_read_only_question_is_answered_and_audited(world: World) -> None:
    answer = world.say("echo", ready("Echo", thing="x"))
    assert "echo x" in text(answer.reply) and answer.plan_id is None
    assert world.calls.handled == ["Echo {'thing': 'x'}"]
    assert world.audit() == [("U0ALICE", "Echo", "answered")]


def test_nothing_understood_gets_the_short_help(world: World) -> None:
    assert "didn't catch" in text(world.say("gibberish").reply)
    unknown = world.say("what", ready("NotAHandler"))
    assert "didn't catch" in text(unknown.reply)


def test_an_unexpected_error_is_a_short_reply_with_the_request_id(
    world: World, caplog: Any
) -> None:
    with caplog.at_level(logging.ERROR):
        reply = world.say("boom", ready("Boom")).reply
    assert "Something went wrong" in text(reply) and "r-00000001" in text(reply)
    assert "secret internals" not in text(reply)
    assert any(r.exc_info for r in caplog.records)  # the traceback goes to the log
    assert world.audit() == [("U0ALICE", "Boom", "error")]


def test_too_long_is_refused_when_addressed_and_ignored_when_overheard(world: World) -> None:
    assert "1,500 characters" in text(world.say("x" * 1500).reply)
    assert world.say("y" * 1500, addressed=False).reply.silent
    assert world.lex.heard == []  # neither reached language


def test_a_command_the_parser_rejects_gets_its_usage(world: World) -> None:
    world.gate.commands = FixedCommands(
        Parsed(None, "Missing endpoint. Usage: `/ml delete <endpoint>`")
    )
    reply = world.say("delete", source="command").reply
    assert "Usage: `/ml delete" in text(reply) and "/ml help" in text(reply)


def test_a_missing_setting_refuses_and_names_the_variable(world: World) -> None:
    reply = world.say("picky", ready("Picky")).reply
    assert "CHATOPS_SAGEMAKER_ROLE_ARN" in text(reply)
    assert world.calls.handled == []  # the handler never ran
    assert world.audit() == [("U0ALICE", "Picky", "refused")]


# ---------------------------------------------------------------------------- overheard


def test_overheard_clear_read_only_question_is_answered(world: World) -> None:
    answer = world.say("echo", ready("Echo", confidence=0.9), addressed=False)
    assert "echo" in text(answer.reply)


@pytest.mark.parametrize(
    "u",
    [
        ready("Echo", confidence=0.5),  # not sure enough
        Understanding(
            "Change", {"thing": "x"}, dialog="ConfirmIntent", state="InProgress", confidence=0.99
        ),  # a change
        Understanding(
            "Echo",
            {},
            dialog="ElicitSlot",
            state="InProgress",
            confidence=0.99,
            message="Which thing?",
        ),  # a dialog
        ready("FallbackIntent"),
    ],
)
def test_overheard_changes_dialogs_and_doubt_stay_quiet(world: World, u: Understanding) -> None:
    answer = world.say("something", u, addressed=False)
    assert answer.reply.silent and answer.plan_id is None
    assert world.calls.handled == [] and world.state.pending_plans("C1") == []


def test_an_overheard_failure_stays_quiet(world: World) -> None:
    assert world.say("boom", ready("Boom"), addressed=False).reply.silent


# ---------------------------------------------------------------------------- dialog states


def test_lex_prompts_are_said_and_nothing_runs(world: World) -> None:
    u = Understanding("Echo", {}, dialog="ElicitSlot", state="InProgress", message="Which thing?")
    assert text(world.say("echo", u).reply).startswith("Which thing?")
    failed = Understanding("Echo", {}, dialog="Close", state="Failed")
    assert "dropped that" in text(world.say("stop asking", failed).reply)
    assert world.calls.handled == []


def test_no_to_lex_confirmation_cancels_the_pending_card(world: World) -> None:
    plan_id = propose(world)
    denied = Understanding(
        "Change",
        {"thing": "ep-a"},
        confirmation="Denied",
        state="Failed",
        message="OK, nothing changed.",
    )
    assert "nothing changed" in text(world.say("no", denied).reply)
    plan = world.state.plan(plan_id)
    assert plan is not None and plan.state == "cancelled" and world.calls.executed == []


def test_yes_to_lex_confirmation_approves_the_pending_card(world: World) -> None:
    plan_id = propose(world)
    confirmed = Understanding("Change", {"thing": "ep-a"}, confirmation="Confirmed")
    assert world.say("yes", confirmed).reply.silent
    assert world.calls.executed == [{"thing": "ep-a", "approver": "U0ALICE"}]
    assert world.state.plan(plan_id).state == "done"  # type: ignore[union-attr]


def test_yes_with_nothing_pending_says_so(world: World) -> None:
    confirmed = Understanding("Change", {"thing": "ep-a"}, confirmation="Confirmed")
    assert "no card waiting for your confirmation" in text(world.say("yes", confirmed).reply)


def test_a_bare_yes_after_lex_forgot_decides_the_pending_card(world: World) -> None:
    propose(world)
    world.say("yes")  # Lex: FallbackIntent (its session expired); the card is still valid
    assert world.calls.executed == [{"thing": "ep-a", "approver": "U0ALICE"}]


def test_a_bare_yes_with_nothing_pending_gets_the_short_help(world: World) -> None:
    assert "didn't catch" in text(world.say("yes").reply)


# ---------------------------------------------------------------------------- confirmation


def test_a_change_becomes_a_card_and_nothing_runs(world: World) -> None:
    answer = world.say(
        "change ep-a",
        Understanding("Change", {"thing": "ep-a"}, dialog="ConfirmIntent", state="InProgress"),
    )
    buttons = [b for block in answer.reply.blocks for b in getattr(block, "buttons", ())]
    assert [b.label for b in buttons] == ["Approve", "Cancel"]
    assert {b.value for b in buttons} == {answer.plan_id}
    assert "Confirm: Change ep-a" in answer.reply.summary
    assert world.calls.executed == [] and world.audit() == [("U0ALICE", "Change", "proposed")]


def test_a_repeated_delivery_gets_no_second_card(world: World) -> None:
    u = Understanding("Change", {"thing": "ep-a"}, dialog="ConfirmIntent", state="InProgress")
    first = world.say("change ep-a", u, key="msg:T1:C1:5.0")
    second = world.say("change ep-a", u, key="msg:T1:C1:5.0")
    assert first.plan_id and second.plan_id is None and second.reply.silent


def test_a_refused_change_is_a_short_reply_and_lex_forgets_it(world: World) -> None:
    answer = world.say(
        "refuse", Understanding("Refusing", {}, dialog="ConfirmIntent", state="InProgress")
    )
    assert "cannot be changed" in text(answer.reply) and answer.plan_id is None
    assert world.lex.resets == ["T1:C1:U0ALICE:1.0"]
    assert world.audit() == [("U0ALICE", "Refusing", "refused")]


def test_the_requester_approves_it_runs_once_and_the_card_follows(world: World) -> None:
    plan_id = propose(world)
    world.state.set_card(plan_id, "100.000777")
    world.click(plan_id, "U0ALICE")
    assert world.calls.executed == [{"thing": "ep-a", "approver": "U0ALICE"}]
    updates = [s for s in world.outbox.sent if s.kind == "update"]
    assert [u.ts for u in updates] == ["100.000777", "100.000777"]
    assert "working on it" in text(updates[0].reply) and "changed ep-a" in text(updates[1].reply)
    assert world.audit()[-2:] == [("U0ALICE", "Change", "approved"), ("U0ALICE", "Change", "done")]
    # Lex forgot the conversation when the card was shown, and again when it was decided
    assert world.lex.resets == ["T1:C1:U0ALICE:1.0", "T1:C1:U0ALICE:1.0"]


def test_an_approver_may_approve_someone_elses_card(world: World) -> None:
    plan_id = propose(world)
    world.click(plan_id, "U0CAROL")
    assert world.calls.executed == [{"thing": "ep-a", "approver": "U0CAROL"}]


def test_anyone_else_is_refused_privately_and_the_card_stays_pending(world: World) -> None:
    plan_id = propose(world)
    world.click(plan_id, "U0BOB")
    refusal = world.outbox.sent[-1]
    assert refusal.kind == "ephemeral" and refusal.user == "U0BOB"
    assert "Only" in text(refusal.reply) and "<@U0ALICE>" in text(refusal.reply)
    assert world.state.plan(plan_id).state == "pending" and world.calls.executed == []  # type: ignore[union-attr]


def test_an_expired_card_cannot_be_approved(world: World) -> None:
    plan_id = propose(world)
    world.state.set_card(plan_id, "100.000777")
    world.now[0] = T0 + 901
    world.click(plan_id, "U0ALICE")
    assert world.calls.executed == []
    assert (
        "expired" in text(world.outbox.sent[-1].reply) and world.outbox.sent[-1].kind == "ephemeral"
    )
    assert any(s.kind == "update" and "Expired" in s.reply.summary for s in world.outbox.sent)
    assert world.state.plan(plan_id).state == "expired"  # type: ignore[union-attr]
    assert world.audit()[-1] == ("U0ALICE", "Change", "expired")


def test_a_second_click_does_nothing_more(world: World) -> None:
    plan_id = propose(world)
    world.click(plan_id, "U0ALICE")
    world.click(plan_id, "U0CAROL")
    assert len(world.calls.executed) == 1
    last = world.outbox.sent[-1]
    assert last.kind == "ephemeral" and "already approved and run by <@U0ALICE>" in text(last.reply)


def test_cancel_after_approve_does_not_undo_or_repeat(world: World) -> None:
    plan_id = propose(world)
    world.click(plan_id, "U0ALICE")
    world.click(plan_id, "U0ALICE", approve=False)
    assert len(world.calls.executed) == 1
    assert world.state.plan(plan_id).state == "done"  # type: ignore[union-attr]
    assert "already approved" in text(world.outbox.sent[-1].reply)


def test_cancel_by_the_requester(world: World) -> None:
    plan_id = propose(world)
    world.click(plan_id, "U0ALICE", approve=False)
    assert world.state.plan(plan_id).state == "cancelled"  # type: ignore[union-attr]
    assert "Cancelled by <@U0ALICE>" in text(world.outbox.sent[-1].reply)
    assert world.calls.executed == []


@pytest.mark.parametrize("plan_id, channel", [("forged-id", "C1"), (None, "C2"), ("", "C1")])
def test_a_forged_or_foreign_click_does_nothing(
    world: World, plan_id: str | None, channel: str
) -> None:
    real = propose(world)
    world.click(plan_id if plan_id is not None else real, "U0ALICE", channel=channel)
    assert world.calls.executed == []
    assert world.outbox.sent[-1].kind == "ephemeral"
    assert "unknown or no longer valid" in text(world.outbox.sent[-1].reply)
    assert world.state.plan(real).state == "pending"  # type: ignore[union-attr]


def test_a_failing_executor_marks_the_card_failed(world: World, caplog: Any) -> None:
    world.calls.executor_fails = True
    plan_id = propose(world)
    world.click(plan_id, "U0ALICE")
    assert world.state.plan(plan_id).state == "failed"  # type: ignore[union-attr]
    card = world.outbox.sent[-1]
    assert "it failed" in text(card.reply) and "AWS exploded" not in text(card.reply)
    assert world.audit()[-1] == ("U0ALICE", "Change", "failed")


def test_the_card_buttons_carry_the_approve_action(world: World) -> None:
    answer = world.say(
        "change ep-b",
        Understanding("Change", {"thing": "ep-b"}, dialog="ConfirmIntent", state="InProgress"),
    )
    actions = [b.action_id for block in answer.reply.blocks for b in getattr(block, "buttons", ())]
    assert actions[0] == APPROVE


# ---------------------------------------------------------------------------- the policy


def change(thing: str) -> Understanding:
    return Understanding("Change", {"thing": thing}, dialog="ConfirmIntent", state="InProgress")


def test_two_requests_in_a_row_get_two_cards_each_with_its_own_target(world: World) -> None:
    first = world.say("change ep-a", change("ep-a"))
    second = world.say("change ep-b", change("ep-b"))
    assert first.plan_id != second.plan_id
    assert "Change ep-a" in first.reply.summary and "Change ep-b" in second.reply.summary
    plans = {p.id: p.params["thing"] for p in world.state.pending_plans("C1")}
    assert plans == {first.plan_id: "ep-a", second.plan_id: "ep-b"}


def test_a_yes_outside_the_cards_thread_approves_nothing(world: World) -> None:
    plan_id = propose(world)  # asked in thread 1.0
    reply = world.say("yes", thread="7.0").reply  # a new top-level message
    assert world.calls.executed == [] and world.state.plan(plan_id).state == "pending"  # type: ignore[union-attr]
    assert "didn't catch" in text(reply)


def test_a_yes_in_a_thread_with_two_cards_asks_for_the_buttons(world: World) -> None:
    world.say("change ep-a", change("ep-a"))
    world.say("change ep-b", change("ep-b"))
    reply = world.say("yes").reply
    assert "2 cards waiting" in text(reply) and reply.ephemeral and world.calls.executed == []


def test_another_users_yes_in_the_thread_is_refused_like_their_click(world: World) -> None:
    plan_id = propose(world)
    reply = world.say("yes", user="U0BOB").reply
    assert reply.ephemeral and "Only <@U0ALICE>" in text(reply)
    assert world.state.plan(plan_id).state == "pending"  # type: ignore[union-attr]
    assert world.audit()[-1] == ("U0BOB", "Change", "refused")


def test_in_a_dm_a_yes_decides_the_only_pending_card(world: World) -> None:
    answer = world.say("change ep-a", change("ep-a"), channel="D1", source="dm", thread="5.0")
    world.say("yes", channel="D1", source="dm", thread="6.0")
    assert world.calls.executed == [{"thing": "ep-a", "approver": "U0ALICE"}]
    assert world.state.plan(str(answer.plan_id)).state == "done"  # type: ignore[union-attr]


def test_changes_are_asked_only_in_bot_channels_and_dms(world: World) -> None:
    answer = world.say("change ep-a", change("ep-a"), channel="C9")
    assert answer.plan_id is None and world.calls.handled == []
    assert answer.reply.ephemeral and "only be asked in" in text(answer.reply)
    assert world.audit() == [("U0ALICE", "Change", "denied")]
    # read-only questions are fine anywhere
    assert "echo" in text(world.say("echo", ready("Echo"), channel="C9").reply)


def test_a_slack_connect_guest_may_ask_but_not_change(world: World) -> None:
    denied = world.say("change ep-a", change("ep-a"), user="U0EXT", user_team="T0PARTNER")
    assert denied.plan_id is None and "other workspaces" in text(denied.reply)
    assert "echo" in text(
        world.say("echo", ready("Echo"), user="U0EXT", user_team="T0PARTNER").reply
    )


def test_a_guest_cannot_approve_a_members_card(world: World) -> None:
    plan_id = propose(world)
    world.click(plan_id, "U0CAROL", user_team="T0PARTNER")  # Carol's id, but from another workspace
    assert world.calls.executed == []
    assert world.outbox.sent[-1].kind == "ephemeral"


def _risky(world: World, **risk: Any) -> str:
    from intents.reply import Proposal, Risk, md

    def risky(request: Any, deps: Any) -> Proposal:
        return Proposal(
            title="Delete ep-prod",
            summary=md("Delete it."),
            params={"thing": "ep-prod"},
            risk=Risk(**risk),
        )

    world.gate.deps.registry.specs["Change"] = dataclasses.replace(  # type: ignore[index]
        world.gate.deps.registry.specs["Change"], handler=risky
    )
    return propose(world, "ep-prod")


@pytest.mark.parametrize(
    "risk, why",
    [
        ({"served": 9700.0}, "it served 9,700 requests in the last 24 h"),
        ({"tags": {"env": "Production"}}, "it is tagged env=Production"),
        ({"cost_usd": 240.0}, "its worst case costs $240, over $100"),
        ({"stops_a_job": True, "owner": "U0BOB"}, "it was started by <@U0BOB>"),
    ],
)
def test_risky_changes_need_a_second_person(world: World, risk: dict[str, Any], why: str) -> None:
    plan_id = _risky(world, **risk)
    pending = world.state.plan(plan_id)
    assert pending is not None and why in pending.card["second"]
    # The requester cannot approve it; the refusal is private and audited
    world.click(plan_id, "U0ALICE")
    refusal = world.outbox.sent[-1]
    assert refusal.kind == "ephemeral" and refusal.user == "U0ALICE"
    assert "needs a second person" in text(refusal.reply) and "<@U0CAROL>" in text(refusal.reply)
    assert world.calls.executed == [] and world.audit()[-1] == ("U0ALICE", "Change", "refused")
    # Someone else who is not an approver cannot either; an approver can
    world.click(plan_id, "U0BOB")
    assert world.calls.executed == []
    world.click(plan_id, "U0CAROL")
    assert world.calls.executed == [{"thing": "ep-prod", "approver": "U0CAROL"}]


def test_a_safe_change_of_ones_own_job_needs_no_second_person(world: World) -> None:
    plan_id = _risky(world, stops_a_job=True, owner="U0ALICE", cost_usd=12.0)
    world.click(plan_id, "U0ALICE")
    assert world.calls.executed == [{"thing": "ep-prod", "approver": "U0ALICE"}]


def test_the_pending_card_says_who_may_approve_when_a_second_person_is_needed(world: World) -> None:
    _risky(world, served=10.0)
    plan = world.state.pending_plans("C1")[0]
    from bot.render.cards import card

    shown = text(card(plan, "pending"))
    assert "Needs a second person" in shown and "<@U0CAROL>" in shown


def test_every_audit_entry_is_also_one_json_log_line(world: World, caplog: Any) -> None:
    import json

    with caplog.at_level(logging.INFO, logger="chatops.audit"):
        world.say("echo", ready("Echo", thing="x"))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "chatops.audit"]
    assert len(lines) == 1
    entry = lines[0]["audit"]
    assert (entry["user"], entry["intent"], entry["outcome"], entry["channel"]) == (
        "U0ALICE",
        "Echo",
        "answered",
        "C1",
    )
    assert entry["request_id"] == "r-00000001" and entry["slots"] == {"thing": "x"}
