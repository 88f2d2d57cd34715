"""Scheduled reports: post a report to a channel hourly, daily or weekly.

The reports are the chat intents themselves (CostReport, EndpointHealth...):
``bot.scheduler`` runs the same handler through the gate at the set times.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from intents.base import Approved, Request
from intents.errors import InvalidInput
from intents.registry import Router
from intents.reply import Context, Header, Proposal, Reply, Section, bold, code, lines, md
from intents.schedules import DAYS, FREQUENCIES, REPORT_TITLES, REPORTS, describe, next_run

if TYPE_CHECKING:
    from intents.deps import Deps

router = Router("reports")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# What looks like a time the slot reader did not take: "at 25:00", "9:75", "at 31pm".
_UNREAD_TIME = re.compile(
    r"\bat\s+\d{1,2}(?:[:.h]\d{1,2})?\s*(?:am|pm)?\b|\b\d{1,2}[:.h]\d{1,2}\b", re.IGNORECASE
)


def _now(deps: Deps) -> datetime:
    return datetime.fromtimestamp(deps.clock(), UTC)


@router.intent("ScheduleReport")
def schedule_report(request: Request, deps: Deps) -> Proposal:
    """Post a report (cost, endpoints, monitor, budget or idle) to this channel on a schedule."""
    report = request.slot("report") or ""
    # frequency is optional in the definition, so Lex and the local runtime ask the same
    # things: a day means weekly ("every monday"); without either, ask here.
    frequency = request.slot("frequency") or ("weekly" if request.slot("day") else "")
    if report not in REPORTS:
        raise InvalidInput(
            f"I have no {report or 'such'} report.", hint="Reports: " + ", ".join(REPORTS) + "."
        )
    if frequency not in FREQUENCIES:
        raise InvalidInput(
            "How often: hourly, daily or weekly?",
            hint=f"Say it with the report, e.g. “post the {report} report daily at 09:00”.",
        )
    unread = None if request.slot("time") else _UNREAD_TIME.search(request.text or "")
    if unread:
        # "at 25:00" is not read as a time: say so rather than post at 09:00 unasked.
        raise InvalidInput(
            f"“{unread.group(0).strip()}” is not a time of day I can read.",
            hint="Use 24-hour HH:MM from 00:00 to 23:59 (UTC), e.g. 09:30, or 9am.",
        )
    time_of_day = request.slot("time") or ("00:00" if frequency == "hourly" else "09:00")
    if not _TIME.match(time_of_day):
        raise InvalidInput(f"{time_of_day!r} is not a time.", hint="Use 24-hour HH:MM, e.g. 09:30.")
    day = (request.slot("day") or "monday") if frequency == "weekly" else None
    if day is not None and day not in DAYS:
        raise InvalidInput(f"{day!r} is not a day of the week.")
    when = describe(frequency, time_of_day, day)
    first = next_run(frequency, time_of_day, day, _now(deps))
    existing = deps.state.schedule(f"{request.channel}:{report}")
    details = [
        ("When", md("{w}", w=when)),
        ("First post", md("{f}", f=f"{first:%a %b %d %H:%M} UTC" if first else "–")),
    ]
    if existing:
        details.append(
            ("Replaces", md("{w}", w=describe(existing.frequency, existing.time, existing.day)))
        )
    return Proposal(
        title=f"Schedule the {REPORT_TITLES[report]} report",
        summary=md(
            "Post the {r} report in this channel {w}.", r=bold(REPORT_TITLES[report]), w=when
        ),
        details=tuple(details),
        params={
            "channel": request.channel,
            "team": request.team,
            "report": report,
            "frequency": frequency,
            "time": time_of_day,
            "day": day,
        },
    )


@router.executor("ScheduleReport")
def run_schedule_report(approved: Approved, deps: Deps) -> Reply:
    p = approved.params
    schedule = deps.state.put_schedule(
        team=p["team"],
        channel=p["channel"],
        report=p["report"],
        frequency=p["frequency"],
        time_of_day=p["time"],
        day=p["day"],
        created_by=approved.requester,
        now=deps.clock(),
    )
    first = next_run(schedule.frequency, schedule.time, schedule.day, _now(deps))
    return Reply.text(
        md(
            ":calendar: Scheduled: the {r} report {w}. First post {f}.",
            r=REPORT_TITLES[schedule.report],
            w=describe(schedule.frequency, schedule.time, schedule.day),
            f=f"{first:%a %b %d %H:%M} UTC" if first else "soon",
        )
    )


@router.intent("ListSchedules")
def list_schedules(request: Request, deps: Deps) -> Reply:
    """The reports scheduled for this channel, with their next post."""
    schedules = deps.state.schedules(request.channel)
    if not schedules:
        return Reply.text(
            md(
                "No reports are scheduled in this channel. Try {e}.",
                e=code("post the cost report every monday at 9am"),
            )
        )
    now = _now(deps)
    rows = [
        md(
            "• {r}: {w} · next {n}",
            r=bold(REPORT_TITLES[s.report]),
            w=describe(s.frequency, s.time, s.day),
            n=f"{nxt:%a %b %d %H:%M} UTC"
            if (nxt := next_run(s.frequency, s.time, s.day, now))
            else "–",
        )
        for s in schedules
    ]
    return Reply(
        summary=f"{len(schedules)} scheduled reports here",
        blocks=(
            Header("Scheduled reports"),
            Section(lines(*rows)),
            Context(md("Stop one with {c}", c=code("cancel the cost report"))),
        ),
    )


@router.intent("CancelSchedule")
def cancel_schedule(request: Request, deps: Deps) -> Proposal:
    """Stop posting a scheduled report here (or all of them)."""
    report = request.slot("report")
    schedules = deps.state.schedules(request.channel)
    if report:
        schedules = [s for s in schedules if s.report == report]
        if not schedules:
            raise InvalidInput(
                f"No {REPORT_TITLES.get(report, report)} report is scheduled in this channel.",
                hint="Say 'list schedules' to see what is.",
            )
    elif not schedules:
        raise InvalidInput("No reports are scheduled in this channel.")
    rows = [
        md("{r}: {w}", r=bold(REPORT_TITLES[s.report]), w=describe(s.frequency, s.time, s.day))
        for s in schedules
    ]
    what = (
        f"the {REPORT_TITLES[schedules[0].report]} report"
        if len(schedules) == 1
        else f"{len(schedules)} reports"
    )
    return Proposal(
        title=f"Stop posting {what}",
        summary=lines(md("Stop posting here:"), *rows),
        params={"ids": [s.id for s in schedules]},
    )


@router.executor("CancelSchedule")
def run_cancel_schedule(approved: Approved, deps: Deps) -> Reply:
    removed = deps.state.delete_schedules(list(approved.params["ids"]))
    return Reply.text(
        md(
            ":no_bell: Stopped {n}.",
            n="1 scheduled report" if removed == 1 else f"{removed} scheduled reports",
        )
    )
