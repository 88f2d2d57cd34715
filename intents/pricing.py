"""On-demand hourly prices of SageMaker instances, for worst-case cost estimates.

The AWS Price List API is asked first (its answers are cached for the process);
when it cannot be reached, a dated snapshot shipped with the project is used,
and the estimate says which one it came from.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from types_boto3_pricing import PricingClient

    from intents.deps import Deps

log = logging.getLogger(__name__)
SNAPSHOT = Path(__file__).with_name("data") / "prices.json"
Component = Literal["training", "hosting"]
_PRICE_LIST_COMPONENT = {"training": "Training", "hosting": "Hosting"}
_CACHE_SECONDS = 6 * 3600
HOURS_PER_MONTH = 730  # AWS's own convention (8,760 h / 12) for monthly estimates


@dataclass(frozen=True)
class Price:
    hourly_usd: float
    source: str  # where the figure comes from, shown on the card


@lru_cache(maxsize=1)
def snapshot() -> dict[str, Any]:
    return dict(json.loads(SNAPSHOT.read_text()))


def known_instance_types(component: Component) -> set[str]:
    return set(snapshot()[component])


_cache: dict[tuple[str, str, str], tuple[float, Price | None]] = {}
_lock = threading.Lock()


def _from_price_list(
    pricing: PricingClient, region: str, instance_type: str, component: Component
) -> Price | None:
    response = pricing.get_products(
        ServiceCode="AmazonSageMaker",
        Filters=[
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
            {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
            {"Type": "TERM_MATCH", "Field": "component", "Value": _PRICE_LIST_COMPONENT[component]},
        ],
        MaxResults=10,
    )
    for raw in response.get("PriceList", []):
        product = json.loads(raw) if isinstance(raw, str) else raw
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = float(dimension.get("pricePerUnit", {}).get("USD", "0") or 0)
                if usd > 0 and dimension.get("unit", "Hrs").lower().startswith("hr"):
                    return Price(usd, "AWS Price List API")
    return None


def hourly_price(
    instance_type: str,
    component: Component,
    *,
    region: str,
    pricing: PricingClient | None = None,
    now: float | None = None,
) -> Price | None:
    """The on-demand price of one instance-hour, or None when nobody knows it."""
    if pricing is not None:
        key = (region, instance_type, component)
        now = now or time.time()
        with _lock:
            cached = _cache.get(key)
        if cached and now - cached[0] < _CACHE_SECONDS and cached[1] is not None:
            return cached[1]
        try:
            price = _from_price_list(pricing, region, instance_type, component)
            with _lock:
                _cache[key] = (now, price)
            if price is not None:
                return price
        except (ClientError, BotoCoreError, ValueError) as exc:
            log.info("price list unavailable (%s); using the snapshot", type(exc).__name__)
    data = snapshot()
    usd = data[component].get(instance_type)
    if usd is None:
        return None
    where = "" if region == data["region"] else f", {data['region']} prices"
    return Price(float(usd), f"price snapshot of {data['as_of']}{where}")


def money(usd: float) -> str:
    return f"${usd:,.2f}" if usd < 1000 else f"${usd:,.0f}"


def pricing_client(deps: Deps) -> PricingClient | None:
    """The Price List API client, or None when settings say to use the snapshot."""
    return deps.aws.pricing if deps.settings.price_list_api else None
