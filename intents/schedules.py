"""Report schedules: which intent each report runs, and when a schedule fires (UTC cron).

Shared by the report handlers (``intents.reports``) and the application's
scheduler, which posts the reports.
"""

from __future__ import annotations

from datetime import UTC, datetime

from intents.state import Schedule

# report -> (intent, slots by frequency)
REPORTS: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "cost": (
        "CostReport",
        {
            "hourly": {"period": "last_24_hours"},  # a rolling day, not "today" (0 at 00:05)
            "daily": {"period": "yesterday"},
            "weekly": {"period": "last_week"},
        },
    ),
    "endpoints": ("EndpointHealth", {}),
    "monitor": ("MonitorSummary", {}),
    "budget": ("BudgetStatus", {}),
    "idle": ("IdleResources", {}),
}
REPORT_TITLES = {
    "cost": "cost",
    "endpoints": "endpoint health",
    "monitor": "Model Monitor",
    "budget": "budget",
    "idle": "idle resources",
}
FREQUENCIES = ("hourly", "daily", "weekly")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def cron(frequency: str, time_of_day: str, day: str | None) -> dict[str, object]:
    """APScheduler cron fields (UTC) for a schedule."""
    hour, minute = (int(x) for x in time_of_day.split(":"))
    if frequency == "hourly":
        return {"minute": minute}
    if frequency == "daily":
        return {"hour": hour, "minute": minute}
    return {"day_of_week": (day or "monday")[:3], "hour": hour, "minute": minute}


def describe(frequency: str, time_of_day: str, day: str | None) -> str:
    if frequency == "hourly":
        return f"every hour at :{time_of_day[3:]}"
    if frequency == "daily":
        return f"every day at {time_of_day} UTC"
    return f"every {(day or 'monday').capitalize()} at {time_of_day} UTC"


def next_run(frequency: str, time_of_day: str, day: str | None, now: datetime) -> datetime | None:
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(timezone=UTC, **cron(frequency, time_of_day, day))
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire


def report_request(schedule: Schedule) -> tuple[str, dict[str, str]]:
    intent, by_frequency = REPORTS[schedule.report]
    return intent, dict(by_frequency.get(schedule.frequency, {}))
