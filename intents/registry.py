"""Handlers register by intent name; everything else about an intent comes from ``lex/bot.toml``.

The bot definition is the single source of an intent's name, area, whether it
mutates, its slots, its help line, its example and its ``/ml`` forms. Area
modules register their handlers on a :class:`Router`; :meth:`Registry.build`
joins them to the definition and refuses to build, naming the intent, when a
handler is missing, extra, or disagrees with the definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from intents.base import Approved, Progress, Request
from intents.reply import Proposal, Reply
from intents.settings import setting_names
from lex.definition import BotDefinition

if TYPE_CHECKING:
    from intents.deps import Deps

Handler = Callable[[Request, "Deps"], Reply | Proposal]
Executor = Callable[[Approved, "Deps"], Reply]
Follower = Callable[[str, "Deps"], Progress]

AREAS = ("training", "endpoints", "ai", "cost", "reports", "meta")


class RegistryError(ValueError):
    """Handlers and the bot definition disagree; the message names the intent."""


@dataclass(frozen=True)
class IntentSpec:
    """One intent as the gate and Help see it: the definition's facts plus its handler."""

    name: str
    area: str
    handler: Handler
    help: str
    example: str
    mutating: bool = False
    # Settings the handler cannot work without (names of settings attributes).
    requires: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()  # `/ml` forms, e.g. "stop <training job name>"
    # The answer depends on who asks or their exact words, not only on the slots and the
    # channel: it is never shared with another asker (bot.gate.shared).
    per_asker: bool = False


@dataclass(frozen=True)
class _Registration:
    area: str
    handler: Handler
    requires: tuple[str, ...]
    per_asker: bool = False


class Router:
    """Collects one area's handlers; :func:`intents.registry` gathers all routers.

    The decorators record the function and return it unchanged, so handlers stay
    testable as plain functions.
    """

    def __init__(self, area: str) -> None:
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r}")
        self.area = area
        self.handlers: dict[str, _Registration] = {}
        self.executors: dict[str, Executor] = {}
        self.followers: dict[str, Follower] = {}

    def intent(
        self, name: str, *, requires: tuple[str, ...] = (), per_asker: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register a handler. *per_asker*: its answer depends on who asks (their
        permissions, their own entries) or on words beyond the slots, so two people asking
        the same in one channel must not share it."""

        def register(fn: Handler) -> Handler:
            if name in self.handlers:
                raise RegistryError(f"{name}: two handlers in the {self.area} router")
            self.handlers[name] = _Registration(self.area, fn, tuple(requires), per_asker)
            return fn

        return register

    def executor(self, name: str) -> Callable[[Executor], Executor]:
        def register(fn: Executor) -> Executor:
            self.executors[name] = fn
            return fn

        return register

    def follower(self, kind: str) -> Callable[[Follower], Follower]:
        def register(fn: Follower) -> Follower:
            self.followers[kind] = fn
            return fn

        return register


def _returns(fn: Callable[..., object]) -> str:
    annotation = getattr(fn, "__annotations__", {}).get("return")
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")


@dataclass(frozen=True)
class Registry:
    specs: Mapping[str, IntentSpec]
    executors: Mapping[str, Executor]
    followers: Mapping[str, Follower]

    @staticmethod
    def build(definition: BotDefinition, routers: Iterable[Router]) -> Registry:
        """Join the routers' handlers to the definition; any disagreement is a RegistryError."""
        handlers: dict[str, _Registration] = {}
        executors: dict[str, Executor] = {}
        followers: dict[str, Follower] = {}
        for router in routers:
            for name, registration in router.handlers.items():
                if name in handlers:
                    raise RegistryError(f"{name}: registered in two routers")
                handlers[name] = registration
            for name in router.executors:
                if name in executors:
                    raise RegistryError(f"{name}: two executors")
            executors.update(router.executors)
            for kind in router.followers:
                if kind in followers:
                    raise RegistryError(f"follower {kind}: registered twice")
            followers.update(router.followers)
        specs = {
            name: _spec(name, registration, definition, executors)
            for name, registration in handlers.items()
        }
        for name in definition.intents:
            if name not in specs:
                raise RegistryError(f"{name}: in lex/bot.toml but no handler is registered")
        for name in executors:
            if name not in specs or not specs[name].mutating:
                raise RegistryError(f"{name}: has an executor but is not a mutating intent")
        return Registry(specs, executors, followers)

    def by_area(self) -> dict[str, list[IntentSpec]]:
        grouped: dict[str, list[IntentSpec]] = {area: [] for area in AREAS}
        for spec in self.specs.values():
            grouped[spec.area].append(spec)
        return {area: specs for area, specs in grouped.items() if specs}


def _spec(
    name: str,
    registration: _Registration,
    definition: BotDefinition,
    executors: Mapping[str, Executor],
) -> IntentSpec:
    intent = definition.intents.get(name)
    if intent is None:
        raise RegistryError(f"{name}: a handler is registered but lex/bot.toml has no such intent")
    if intent.area != registration.area:
        raise RegistryError(
            f"{name}: lex/bot.toml puts it in {intent.area} but its handler is in the "
            f"{registration.area} router"
        )
    returns = _returns(registration.handler)
    wanted = "Proposal" if intent.mutating else "Reply"
    if returns != wanted:
        kind = "mutating" if intent.mutating else "not mutating"
        raise RegistryError(
            f"{name}: lex/bot.toml says it is {kind}, so its handler must return {wanted}, "
            f"not {returns or 'an unannotated value'}"
        )
    if intent.mutating and name not in executors:
        raise RegistryError(f"{name}: a mutating intent needs an executor")
    unknown = set(registration.requires) - setting_names()
    if unknown:
        raise RegistryError(f"{name}: requires unknown settings {', '.join(sorted(unknown))}")
    return IntentSpec(
        name=name,
        area=intent.area,
        handler=registration.handler,
        help=intent.description,
        example=intent.example,
        mutating=intent.mutating,
        requires=registration.requires,
        commands=intent.commands,
        per_asker=registration.per_asker,
    )
