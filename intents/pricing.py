"""On-demand hourly prices of SageMaker instances, for worst-case cost estimates.

The AWS Price List API is asked first (its answers, "no price" included, are cached for
the life of the process; after a failure it is left alone for five minutes);
when it cannot be reached, a dated snapshot shipped with the project is used,
and the estimate says which one it came from.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections.abc import Iterable
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


# (region, instance type, component) -> the Price List's answer, "no price" included: prices
# change rarely, and an account with 500 idle endpoints of four types asks four times.
_cache: dict[tuple[str, str, str], Price | None] = {}
_key_locks: dict[tuple[str, str, str], threading.Lock] = {}
# A Price List API that failed (denied, throttled, unreachable) is left alone for a while,
# rather than asked again for every instance type of the same request.
_failed_until: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
_RETRY_AFTER_SECONDS = 300.0
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every price and failure (tests and benchmarks start cold with it)."""
    with _lock:
        _cache.clear()
        _failed_until.clear()


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
        price = _listed_price(pricing, region, instance_type, component, now or time.time())
        if price is not None:
            return price
    data = snapshot()
    usd = data[component].get(instance_type)
    if usd is None:
        return None
    where = "" if region == data["region"] else f", {data['region']} prices"
    return Price(float(usd), f"price snapshot of {data['as_of']}{where}")


def _listed_price(
    pricing: PricingClient, region: str, instance_type: str, component: Component, now: float
) -> Price | None:
    """The Price List API's price, asked once per key for the life of the process."""
    key = (region, instance_type, component)
    with _lock:
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:  # one look-up per key, however many threads want it at once
        with _lock:
            if key in _cache:
                return _cache[key]
            if now < _failed_until.get(pricing, 0.0):
                return None
        try:
            price = _from_price_list(pricing, region, instance_type, component)
        except (ClientError, BotoCoreError, ValueError) as exc:
            log.info("price list unavailable (%s); using the snapshot", type(exc).__name__)
            with _lock:
                _failed_until[pricing] = now + _RETRY_AFTER_SECONDS
            return None
        with _lock:
            _cache[key] = price
        return price


def money(usd: float, *, like: Iterable[float | None] = ()) -> str:
    """Dollars: whole above $1,000, cents below. Amounts shown together in one line pass the
    others as *like*, so the line uses one format (the one its largest amount needs)."""
    largest = max([abs(usd), *(abs(v) for v in like if v is not None)])
    sign = "-" if usd < 0 else ""
    return f"{sign}${abs(usd):,.2f}" if largest < 1000 else f"{sign}${abs(usd):,.0f}"


def pricing_client(deps: Deps) -> PricingClient | None:
    """The Price List API client, or None when settings say to use the snapshot."""
    return deps.aws.pricing if deps.settings.price_list_api else None
