"""The registry joins handlers to lex/bot.toml and refuses to build, naming the intent,
when they disagree."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from intents import ai, costs, endpoints, glue, jobs, meta, registry, reports, training
from intents.base import Request
from intents.registry import Registry, RegistryError, Router
from intents.reply import Proposal, Reply, md
from lex.definition import load_definition

ROUTERS = (
    meta.router,
    training.router,
    jobs.router,
    glue.router,
    endpoints.router,
    ai.router,
    costs.router,
    reports.router,
)


def _copy(router: Router, **handlers: Any) -> Router:
    """The router with some handlers replaced (or added)."""
    copy = Router(router.area)
    copy.handlers = dict(router.handlers)
    copy.executors = dict(router.executors)
    copy.followers = dict(router.followers)
    for name, fn in handlers.items():
        del copy.handlers[name]
        copy.intent(name)(fn)
    return copy


def test_the_real_registry_matches_the_definition() -> None:
    built = registry()
    definition = load_definition()
    assert set(built.specs) == set(definition.intents)
    for name, spec in built.specs.items():
        intent = definition.intents[name]
        assert (spec.area, spec.mutating, spec.help, spec.example) == (
            intent.area,
            intent.mutating,
            intent.description,
            intent.example,
        )
    assert built.specs["TranscribeAudio"].mutating  # starts a billable job: a card first


def test_a_definition_intent_without_a_handler_stops_the_build() -> None:
    with pytest.raises(RegistryError, match=r"^AuditLog: in lex/bot.toml but no handler"):
        Registry.build(load_definition(), (_without(meta.router, "AuditLog"), *ROUTERS[1:]))


def test_a_handler_for_an_unknown_intent_stops_the_build() -> None:
    extra = Router("meta")

    @extra.intent("Horoscope")
    def horoscope(request: Request, deps: Any) -> Reply:
        return Reply.text(md("no"))

    with pytest.raises(
        RegistryError, match=r"^Horoscope: a handler is registered but lex/bot.toml"
    ):
        Registry.build(load_definition(), (*ROUTERS, extra))


def test_a_handler_that_disagrees_about_mutating_stops_the_build() -> None:
    def stop_without_card(request: Request, deps: Any) -> Reply:
        return Reply.text(md("stopped"))

    # StopTraining (every kind of job) lives in intents.jobs
    routers = (*ROUTERS[:2], _copy(jobs.router, StopTraining=stop_without_card), *ROUTERS[3:])
    with pytest.raises(RegistryError, match=r"^StopTraining: lex/bot.toml says it is mutating"):
        Registry.build(load_definition(), routers)


def test_a_read_only_intent_cannot_return_a_card() -> None:
    def sneaky(request: Request, deps: Any) -> Proposal:
        return Proposal(title="x", summary=md("x"))

    routers = (_copy(meta.router, AuditLog=sneaky), *ROUTERS[1:])
    with pytest.raises(RegistryError, match=r"^AuditLog: lex/bot.toml says it is not mutating"):
        Registry.build(load_definition(), routers)


def test_a_handler_in_the_wrong_area_stops_the_build() -> None:
    wrong = Router("training")
    wrong.handlers["Help"] = meta.router.handlers["Help"]
    wrong.handlers["Help"] = dataclasses.replace(wrong.handlers["Help"], area="training")
    routers = (_without(meta.router, "Help"), *ROUTERS[1:], wrong)
    with pytest.raises(RegistryError, match=r"^Help: lex/bot.toml puts it in meta"):
        Registry.build(load_definition(), routers)


def test_a_mutating_intent_needs_an_executor_and_settings_must_exist() -> None:
    no_executor = _copy(jobs.router)
    del no_executor.executors["StopTraining"]
    with pytest.raises(RegistryError, match=r"^StopTraining: a mutating intent needs an executor"):
        Registry.build(load_definition(), (*ROUTERS[:2], no_executor, *ROUTERS[3:]))
    bad = _copy(meta.router)
    bad.handlers["AuditLog"] = dataclasses.replace(
        bad.handlers["AuditLog"], requires=("slack_tokn",)
    )
    with pytest.raises(RegistryError, match=r"^AuditLog: requires unknown settings slack_tokn"):
        Registry.build(load_definition(), (bad, *ROUTERS[1:]))


def _without(router: Router, name: str) -> Router:
    copy = _copy(router)
    del copy.handlers[name]
    return copy
