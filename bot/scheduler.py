"""Posts scheduled reports (APScheduler, UTC cron triggers), once per fire across replicas.

Schedules live in the state backend; each process mirrors them (``sync``) at start, when
it changes one, and every ``SYNC_SECONDS`` (another replica may have changed them). Every
process fires every schedule; the first to claim the fire (a conditional write keyed by
schedule and scheduled time) posts, the others do nothing. A report is the chat intent's
own handler, run through the gate, so it gets the same errors, audit and rendering; its
post carries a key, so a restart can tell it was made.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.gate import Gate
from bot.gate.outbox import Outbox
from bot.logs import new_request_id, request_context
from bot.state import State
from intents.base import Request
from intents.reply import Context, Reply, code, md
from intents.schedules import REPORT_TITLES, cron, describe, next_run, report_request
from intents.state import Schedule

log = logging.getLogger(__name__)
SYNC_SECONDS = 30.0
# How late a fire may be and still count as the one scheduled (clocks and APScheduler).
FIRE_SLACK = timedelta(minutes=2)


def fire_time(schedule: Schedule, now: datetime) -> datetime:
    """The scheduled time of the fire happening *now*: the same on every replica."""
    fire = next_run(schedule.frequency, schedule.time, schedule.day, now - FIRE_SLACK)
    return fire or now.replace(second=0, microsecond=0)


class ReportScheduler:
    def __init__(
        self, gate: Gate, state: State, out: Outbox, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.gate, self.state, self.out, self.clock = gate, state, out, clock
        self._scheduler: Any = None
        self._synced: int | None = None

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        )
        self.sync()
        self._scheduler.add_job(self.sync, "interval", seconds=SYNC_SECONDS, id="__sync__")
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def sync(self) -> None:
        """Make the scheduler's jobs match the schedules in the state backend."""
        if self._scheduler is None:
            return
        version = self.state.schedules_version()
        if version == self._synced:
            return
        from apscheduler.triggers.cron import CronTrigger

        self._synced = version
        wanted = {s.id: s for s in self.state.schedules()}
        for job in self._scheduler.get_jobs():
            if job.id != "__sync__" and job.id not in wanted:
                job.remove()
        for schedule_id, s in wanted.items():
            self._scheduler.add_job(
                self.post,
                CronTrigger(timezone=UTC, **cron(s.frequency, s.time, s.day)),
                id=schedule_id,
                args=[schedule_id],
                replace_existing=True,
            )

    def post(self, schedule_id: str) -> Reply | None:
        """Run one scheduled report now and post it to its channel, unless another process
        already claimed this fire."""
        schedule = self.state.schedule(schedule_id)
        if schedule is None:
            return None
        now = datetime.fromtimestamp(self.clock(), UTC)
        fired = fire_time(schedule, now)
        fire_key = f"{fired:%Y%m%d%H%M}"
        if not self.state.claim_fire(schedule.id, fire_key, now=now.timestamp()):
            log.info("the %s report's %s fire was posted elsewhere", schedule.report, fire_key)
            return None
        with request_context(new_request_id()) as request_id:
            intent, slots = report_request(schedule)
            request = Request(
                id=request_id,
                intent=intent,
                slots=slots,
                user=schedule.created_by,
                channel=schedule.channel,
                team=schedule.team,
                source="schedule",
                origin_key=f"schedule:{schedule.id}:{fire_key}",
            )
            reply = self.gate.run(request)
            footer = Context(
                md(
                    "Scheduled {r} report · {w} · stop it with {c}",
                    r=REPORT_TITLES[schedule.report],
                    w=describe(schedule.frequency, schedule.time, schedule.day),
                    c=code(f"/ml unschedule {schedule.report}"),
                )
            )
            posted = Reply(summary=reply.summary, blocks=(*reply.blocks, footer), files=reply.files)
            self.out.post(schedule.channel, posted, key=f"schedule:{schedule.id}:{fire_key}")
            log.info("posted the %s report to %s", schedule.report, schedule.channel)
            return posted
