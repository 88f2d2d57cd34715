"""Intent handlers, one module per area, each with its own Router."""

from __future__ import annotations

from intents.registry import Registry
from lex.definition import BotDefinition, load_definition


def registry(definition: BotDefinition | None = None) -> Registry:
    """Every intent of the bot definition, joined to its handler (checked; see Registry.build)."""
    from intents import ai, costs, endpoints, glue, jobs, meta, reports, training

    routers = (
        meta.router,
        training.router,
        jobs.router,
        glue.router,
        endpoints.router,
        ai.router,
        costs.router,
    )
    return Registry.build(definition or load_definition(), (*routers, reports.router))
