"""Hostile Slack payloads through the real Bolt app: 10,000+ signed requests of every kind
(messages, mentions, DMs, thread replies, slash commands, button clicks), with hostile
text and malformed shapes, from a seeded generator.

What must hold: no listener crashes, nothing that reaches Slack carries a traceback, a
mention or link smuggled in by a user, and the bot never answers a bot. The handlers are
cheap stand-ins that echo what they were given (so every user value goes through the
renderer); a smaller run goes through the real handlers against the sandbox's moto.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from intents.base import Approved, Request
from intents.registry import Registry
from intents.reply import Proposal, Reply, Section, code, fields, md
from tests.conftest import dispatch_signed

SEED = 20261129
USERS = ["U0ALICE", "U0BOB", "U0CAROL"]
BOTS = ["B0OTHERBOT", "B0ALERTS"]
VICTIM = "U0VICTIM"
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    f"<@{VICTIM}>",
    f"<@{VICTIM}|victim>",
    "<#C0SECRET|secret>",
    "<https://evil.example/steal|click here>",
    "<mailto:x@evil.example|mail>",
    "&lt;!channel&gt;",
    "&amp;lt;!here&amp;gt;",
    "<!subteam^S0ADMINS>",
    "<!date^1392734382^{date}|Feb 18>",
    "```<!channel>```",
    "`<!here>`",
    "*<!channel>*",
    "_<@U0VICTIM>_",
    "~x~",
    "> quote <!channel>",
    "\u202e<!channel>\u202c",
    "\u200b<!\u200bchannel>",
    "＜!channel＞",
    "\x00\x01\x1b[31m",
    "{0} %s %(x)s {{x}}",
    "'; DROP TABLE plans; --",
    "../../etc/passwd",
    "${jndi:ldap://evil}",
    "\\u003c!channel\\u003e",
    "🦄" * 50,
    "x" * 5000,
    "\n" * 30,
    "",
    " ",
    "null",
    "[]",
    "{}",
    '{"text": "<!channel>"}',
]
INTENTS = [
    "are my endpoints healthy {h}",
    "train xgboost on s3://acme-ml-data/{h}.csv",
    "delete endpoint {h}",
    "deploy model {h}",
    "stop training job {h}",
    "translate '{h}' to German",
    'sentiment of "{h}"',
    "say '{h}' with the voice Matthew",
    "predict {h} with churn-xgb-prod",
    "how is {h} doing",
    "post the cost report every monday at 9am {h}",
    "cancel the {h} report",
    "show the audit log {h}",
    "help with {h}",
    "what's in s3://acme-ml-data/{h}",
    "run autopilot on s3://acme-ml-data/x.csv to predict {h}",
    "yes {h}",
    "no",
    "yes",
    "{h}",
    "{h} {h}",
    "don't delete {h}",
    "how do I stop {h}?",
]


def hostile_text(rng: random.Random) -> str:
    pick = rng.choice(HOSTILE)
    text = rng.choice(INTENTS).replace("{h}", pick, 1).replace("{h}", rng.choice(HOSTILE))
    if rng.random() < 0.1:
        text = f"<@U0BOT> {text}"
    return text


def garbage(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            0,
            -1,
            1e308,
            True,
            "",
            [],
            {},
            [1, 2],
            {"a": {"b": None}},
            "x" * 300,
            "\x00",
            "U0" + "A" * 50,
            {"id": None},
            [{"id": 3}],
        ]
    )


def event_payload(rng: random.Random, n: int) -> tuple[dict[str, Any], bool]:
    """A Slack Events API body; True when it comes from a bot (must get no answer)."""
    ts = f"{1_800_000_000 + n}.{rng.randrange(10**6):06d}"
    kind = rng.choice(
        [
            "message",
            "message",
            "app_mention",
            "dm",
            "thread",
            "bot",
            "changed",
            "deleted",
            "files",
            "shape",
        ]
    )
    event: dict[str, Any] = {
        "type": "message",
        "channel": "C0MLOPS",
        "user": rng.choice(USERS),
        "text": hostile_text(rng),
        "ts": ts,
        "channel_type": "channel",
        "team": "T0SANDBOX",
    }
    from_bot = False
    if kind == "app_mention":
        event.update(type="app_mention", channel="C0GENERAL", text="<@U0BOT> " + event["text"])
    elif kind == "dm":
        event.update(channel="D0" + event["user"][2:], channel_type="im")
    elif kind == "thread":
        event.update(thread_ts=f"{1_700_000_000 + rng.randrange(1000)}.000100")
    elif kind == "bot":
        from_bot = True
        variant = rng.randrange(3)
        if variant == 0:
            event.update(subtype="bot_message", bot_id=rng.choice(BOTS), username="alerts")
            event.pop("user")
        elif variant == 1:
            event.update(bot_id=rng.choice(BOTS), bot_profile={"id": "B0", "name": "x"})
        else:
            event.update(user="U0BOT")  # the bot itself
    elif kind == "changed":
        from_bot = True  # an edit is not a new message: no answer
        event = {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C0MLOPS",
            "ts": ts,
            "message": {"user": "U0ALICE", "text": hostile_text(rng), "ts": ts},
            "previous_message": {"text": "help"},
        }
    elif kind == "deleted":
        from_bot = True
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C0MLOPS",
            "ts": ts,
            "deleted_ts": ts,
            "previous_message": {"text": hostile_text(rng)},
        }
    elif kind == "files":
        event.update(
            subtype="file_share",
            files=[
                {
                    "id": rng.choice(["F1", "", None, 7]),
                    "name": rng.choice(HOSTILE),
                    "mimetype": rng.choice(["image/png", "audio/mpeg", "application/pdf", None, 3]),
                    "size": rng.choice([1, 10**12, -5, "big", None]),
                    "url_private": rng.choice(
                        [
                            "https://evil.example/x",
                            "file:///etc/passwd",
                            None,
                            "https://files.slack.com/files-pri/T0/x.png",
                        ]
                    ),
                }
                if rng.random() < 0.8
                else garbage(rng)
            ],
        )
    else:  # malformed shapes
        for key in rng.sample(
            ["channel", "user", "text", "ts", "thread_ts", "channel_type", "team"], 3
        ):
            event[key] = garbage(rng)
    if kind == "shape" and rng.random() < 0.3:
        event = garbage(rng)  # type: ignore[assignment]
    body = {
        "token": "x",
        "team_id": "T0SANDBOX",
        "api_app_id": "A0SANDBOX",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{n:08d}",
        "event_time": 1_800_000_000,
        "authorizations": [{"team_id": "T0SANDBOX", "user_id": "U0BOT", "is_bot": True}],
    }
    return body, from_bot


def command_form(rng: random.Random, n: int) -> dict[str, Any]:
    form: dict[str, Any] = {
        "token": "x",
        "team_id": "T0SANDBOX",
        "channel_id": "C0MLOPS",
        "user_id": rng.choice(USERS),
        "command": "/ml",
        "text": hostile_text(rng),
        "response_url": "",
        "trigger_id": f"tr{n}",
        "api_app_id": "A0SANDBOX",
    }
    for key in rng.sample(list(form), rng.randrange(3)):
        form[key] = rng.choice(["", "\x00", "<!channel>", "U0" + "X" * 200])
    return form


def click_payload(rng: random.Random, n: int, plan_ids: list[str]) -> dict[str, Any]:
    action = rng.choice(["plan_approve", "plan_cancel", "clarify"])
    value = rng.choice(
        [
            *plan_ids[-3:],
            "forged",
            "",
            "x" * 3000,
            '{"intent": "DeleteEndpoint", "slots": {"endpointName": "<!channel>"}}',
            hostile_text(rng),
        ]
    )
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": rng.choice(USERS), "team_id": "T0SANDBOX"},
        "team": {"id": "T0SANDBOX"},
        "channel": {"id": "C0MLOPS"},
        "trigger_id": f"t{n}",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0MLOPS"},
        "message": {"ts": "1.0", "text": "card"},
        "actions": [
            {
                "action_id": action,
                "value": value,
                "type": "button",
                "text": {"type": "plain_text", "text": hostile_text(rng)[:70]},
            }
        ],
    }
    if rng.random() < 0.2:
        payload[rng.choice(["user", "channel", "actions", "team", "message"])] = garbage(rng)
    return payload


def echo_registry(real: Registry) -> Registry:
    """Every handler answers with what it was given: all user values reach the renderer."""
    import dataclasses

    def echo(request: Request, deps: Any) -> Reply:
        shown = fields({k: code(v) for k, v in request.slots.items()})
        blocks = [Section(md("You said {t}", t=request.text[:500]))]
        if shown:
            blocks.append(Section(fields=shown))
        return Reply(summary=f"echo {request.text[:100]}", blocks=tuple(blocks))

    def propose(request: Request, deps: Any) -> Proposal:
        return Proposal(
            title=f"Do {request.text[:80]}",
            summary=md("Do {t}", t=request.text[:300]),
            details=fields({k: v for k, v in request.slots.items()}),
            params={k: str(v) for k, v in request.slots.items()},
        )

    def execute(approved: Approved, deps: Any) -> Reply:
        return Reply.text(md("done {p}", p=json.dumps(dict(approved.params))[:300]))

    specs = {
        name: dataclasses.replace(spec, handler=propose if spec.mutating else echo)
        for name, spec in real.specs.items()
    }
    return Registry(specs, {name: execute for name in real.executors}, {})


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Any]:
    from bot.sandbox import Sandbox
    from intents import registry

    box = Sandbox(
        scale=0,
        working_delay=30.0,
        traffic=False,
        start_follower=False,
        registry=echo_registry(registry()),
    )
    box.start()
    yield box
    box.stop()


def _mrkdwn(node: Any) -> Iterator[str]:
    """Every mrkdwn string in a block tree (plain_text shows markup literally, so it is safe)."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _mrkdwn(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mrkdwn(item)


def _check_output(records: list[Any], bot_threads: set[str]) -> list[str]:
    problems = []
    for r in records:
        if r.kind not in ("post", "update", "ephemeral", "file"):
            continue
        text = r.text + "\n".join(_mrkdwn(r.blocks))
        everything = r.text + json.dumps(r.blocks)
        if "Traceback" in everything or 'File "/' in everything:
            problems.append(f"traceback in {r.kind}: {everything[:200]}")
        if re.search(r"<!(channel|here|everyone|subteam|date)", text) or VICTIM in text.replace(
            "&lt;@U0VICTIM", ""
        ):
            problems.append(f"smuggled mention: {text[:300]}")
        for link in re.findall(r"<(https?://[^|>]+)", text):
            if not re.match(r"https://[a-z0-9.-]+\.(aws\.amazon\.com|amazonaws\.com)/", link):
                problems.append(f"smuggled link {link}")
        if r.thread_ts in bot_threads:
            problems.append(f"answered a bot: {text[:120]}")
    return problems


def _fuzz(
    box: Any, caplog: Any, count: int, seed: int
) -> tuple[list[int], list[Any], set[str], float]:
    rng = random.Random(seed)
    statuses: list[int] = []
    bot_threads: set[str] = set()
    plan_ids: list[str] = []
    start_records = len(box.slack.records)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        for n in range(count):
            roll = rng.random()
            if roll < 0.6:
                body, from_bot = event_payload(rng, n)
                if from_bot and isinstance(body.get("event"), dict):
                    bot_threads.add(str(body["event"].get("ts")))
                statuses.append(dispatch_signed(box, json.dumps(body), "application/json").status)
            elif roll < 0.8:
                form = command_form(rng, n)
                statuses.append(
                    dispatch_signed(
                        box, urlencode(form), "application/x-www-form-urlencoded"
                    ).status
                )
            else:
                payload = click_payload(rng, n, plan_ids)
                statuses.append(
                    dispatch_signed(
                        box,
                        urlencode({"payload": json.dumps(payload)}),
                        "application/x-www-form-urlencoded",
                    ).status
                )
            if n % 500 == 499:
                assert box.driver.settle(60)
                plan_ids = [p.id for p in box.chatops.state.pending_plans("C0MLOPS")[:5]]
        assert box.driver.settle(60)
    return statuses, box.slack.records[start_records:], bot_threads, time.monotonic() - started


@pytest.mark.timeout(600)
def test_ten_thousand_hostile_payloads(fuzzed: Any, caplog: Any) -> None:
    statuses, records, bot_threads, took = _fuzz(fuzzed, caplog, 10_200, SEED)
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert crashes == [], [r.getMessage()[:200] for r in crashes[:5]]
    assert set(statuses) <= {200, 400, 404}, sorted(set(statuses))  # 400: malformed, 404: not ours
    assert statuses.count(200) > 9_000  # nearly all were acknowledged (signed)
    assert _check_output(records, bot_threads) == []
    answered = [r for r in records if r.kind in ("post", "ephemeral")]
    assert len(answered) > 3_000, "the payloads reached the handlers"
    print(f"\nfuzz: {len(statuses)} payloads in {took:.1f} s, {len(answered)} answers")


@pytest.mark.timeout(600)
def test_hostile_payloads_through_the_real_handlers(sandbox: Any, caplog: Any) -> None:
    # The same generator against the sandbox's real handlers and moto (fewer: AWS calls)
    statuses, records, bot_threads, took = _fuzz(sandbox, caplog, 600, SEED + 1)
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert crashes == [], [r.getMessage()[:200] for r in crashes[:5]]
    assert set(statuses) <= {200, 400, 404}
    assert _check_output(records, bot_threads) == []
    assert len([r for r in records if r.kind in ("post", "ephemeral")]) > 150
    print(f"\nfuzz (real handlers): {len(statuses)} payloads in {took:.1f} s")
