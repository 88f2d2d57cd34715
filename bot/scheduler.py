"""Posts scheduled reports (APScheduler, UTC cron triggers).

Schedules live in the state backend; the scheduler mirrors them (``sync``) at
start and whenever one is added or removed. A report is the chat intent's own
handler, run through the gate, so it gets the same errors, audit and rendering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.gate import Gate
from bot.gate.outbox import Outbox
from bot.logs import new_request_id, request_context
from bot.state import State
from intents.base import Request
from intents.reply import Context, Reply, code, md
from intents.schedules import REPORT_TITLES, cron, describe, report_request

log = logging.getLogger(__name__)


class ReportScheduler:
    def __init__(
        self, gate: Gate, state: State, out: Outbox, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.gate, self.state, self.out, self.clock = gate, state, out, clock
        self._scheduler: Any = None
        self._synced = -1

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        )
        self.sync()
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def sync(self) -> None:
        """Make the scheduler's jobs match the schedules in the state backend."""
        if self._scheduler is None or self._synced == self.state.schedule_revision:
            return
        from apscheduler.triggers.cron import CronTrigger

        self._synced = self.state.schedule_revision
        wanted = {s.id: s for s in self.state.schedules()}
        for job in self._scheduler.get_jobs():
            if job.id not in wanted:
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
        """Run one scheduled report now and post it to its channel."""
        schedule = self.state.schedule(schedule_id)
        if schedule is None:
            return None
        with request_context(new_request_id()) as request_id:
            intent, slots = report_request(schedule)
            fired = datetime.fromtimestamp(self.clock(), UTC)
            request = Request(
                id=request_id,
                intent=intent,
                slots=slots,
                user=schedule.created_by,
                channel=schedule.channel,
                team=schedule.team,
                source="schedule",
                origin_key=f"schedule:{schedule.id}:{fired:%Y%m%d%H%M}",
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
            self.out.post(schedule.channel, posted)
            log.info("posted the %s report to %s", schedule.report, schedule.channel)
            return posted
