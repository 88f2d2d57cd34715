"""Intent handlers, one module per area, each with its own Router."""

from __future__ import annotations

from intents.base import Registry


def registry() -> Registry:
    """Every registered intent, collected from the area routers."""
    from intents import ai, costs, endpoints, meta, reports, training

    return Registry.of(
        meta.router, training.router, endpoints.router, ai.router, costs.router, reports.router
    )
