"""The Slack side of a request, after Slack was acknowledged: drop repeated deliveries,
show that the bot is working, ask the gate, and deliver its answer in the right place.

Repeated deliveries (Slack retries) are dropped here by their delivery key, before
any understanding or AWS call. Answers go in the message's thread; a slash
command's answer replaces its placeholder, or goes through the command's
``response_url`` where the bot is not a channel member. The bot joins the
thread it answered in, and a confirmation card's ts is kept with its plan.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.gate import Gate
from bot.gate.types import Decision
from bot.logs import new_request_id, request_context
from bot.render.cards import card_key
from bot.render.home import home_reply, home_view
from bot.slack.inbound import Inbound
from bot.slack.outbox import SlackOutbox
from bot.slack.working import WORKING_DELAY, Working
from bot.state import State
from intents.reply import Context, Reply, code, md, mention

log = logging.getLogger(__name__)
BUSY = Reply.text(md("I'm busy, try again in a minute."), ephemeral=True)


class SlackFront:
    def __init__(
        self,
        gate: Gate,
        state: State,
        outbox: SlackOutbox,
        *,
        working_delay: float = WORKING_DELAY,
        on_change: Callable[[], None] = lambda: None,
        channels: frozenset[str] = frozenset(),
    ) -> None:
        self.gate, self.state, self.outbox = gate, state, outbox
        self.channels = channels  # the bot's own channels (the Home tab shows only those)
        self.working_delay = working_delay
        self._on_change = on_change

    def message(self, inbound: Inbound, again: bool = False) -> None:
        """A message, mention, DM, thread reply or slash command. *again*: taken on again
        after the process that took it died (bot.slack.inbox): it may have been seen (no
        delivery dedupe) and answered (its answer is looked for in Slack before posting)."""
        message = inbound.message
        with request_context(new_request_id()) as request_id:
            if not again and not self.state.first_delivery(message.delivery_key):
                log.info("ignoring a repeated delivery of %s", message.delivery_key)
                return
            reply_key = f"reply:{message.delivery_key}"
            if again and self.outbox.posted(message.channel, message.thread_ts, reply_key):
                log.info("%s was answered before the crash", message.delivery_key)
                return
            placeholder = None
            if message.source == "command":
                placeholder = Reply.text(md("_Working on {c}…_", c=code(_echo(inbound))))
            working = Working(
                self.outbox,
                message.channel,
                message_ts=inbound.message_ts,
                thread_ts=message.thread_ts,
                placeholder=placeholder,
                delay=self.working_delay,
            )
            try:
                answer = self.gate.answer(message, request_id, inbound.reading)
            except Exception:
                working.finish(Reply.nothing())  # no hourglass left behind
                raise
            reply = answer.reply
            if message.source == "command" and not reply.silent:
                reply = _with_command_context(reply, inbound)
            if reply.ephemeral and not reply.silent and not message.dm:
                # For the asker only (a usage error, a refusal): nothing in the channel.
                working.finish(Reply.nothing())
                if not inbound.response_url or not self.outbox.respond(inbound.response_url, reply):
                    self.outbox.ephemeral(
                        message.channel, message.user, reply, thread_ts=message.thread_ts
                    )
                self._on_change()
                return
            key = card_key(answer.plan_id) if answer.plan_id else reply_key
            # a card has its own key; the reply key was looked for above
            looked = again and key != reply_key
            ts = self.outbox.posted(message.channel, message.thread_ts, key) if looked else None
            if ts is None:
                ts = working.finish(reply, key=key)
            else:  # posted before the crash (a card): only what came after it is done
                working.finish(Reply.nothing())

            if ts is None and inbound.response_url and not reply.silent:
                # Not a member of the channel: answer through the command's response URL.
                self.outbox.respond(inbound.response_url, reply)
            if ts is not None:
                self.state.join_thread(message.channel, message.thread_ts or ts)
                if answer.plan_id is not None:
                    self.state.set_card(answer.plan_id, ts)
            self._on_change()  # a handler may have started something to follow

    def click(self, decision: Decision, again: bool = False) -> None:
        """Approve or Cancel. *again* (after a crash): only while the plan is still pending;
        a decided plan's run is resumed at start (bot.recovery), and is not re-announced."""
        with request_context(new_request_id()) as request_id:
            if again:
                plan = self.state.plan(decision.plan_id)
                if plan is None or plan.state != "pending":
                    return
            self.gate.click(decision, request_id)

    def home(self, user: str, again: bool = False) -> None:
        """Someone opened the app's Home tab: their pending cards, what the bot follows in
        its channels, and the reports scheduled there (other channels stay private)."""
        with request_context(new_request_id()):
            now = self.gate.deps.clock()
            reply = home_reply(
                user,
                pending=self.state.recent_plans(requester=user, state="pending"),
                follows=[f for f in self.state.active_follows() if f.channel in self.channels],
                schedules=[s for s in self.state.schedules() if s.channel in self.channels],
                now=now,
            )
            self.outbox.publish_home(user, home_view(reply))

    def busy(self, inbound: Inbound) -> None:
        """Too busy to take this message now: say so to the asker alone, at the cost of one
        Slack call (no understanding, no state, no AWS). Overheard messages get nothing."""
        self._tell(inbound, BUSY)

    def busy_click(self, decision: Decision) -> None:
        """Too busy to take a click now: the card stays as it was, and the clicker is told."""
        self.outbox.ephemeral(decision.channel, decision.user, BUSY)

    def could_not(self, inbound: Inbound, request_id: str) -> None:
        """A request that failed every attempt: the asker alone is told, in one line."""
        self._tell(inbound, _could_not(request_id))

    def could_not_click(self, decision: Decision, request_id: str) -> None:
        self.outbox.ephemeral(decision.channel, decision.user, _could_not(request_id))

    def _tell(self, inbound: Inbound, reply: Reply) -> None:
        message = inbound.message
        if not message.addressed:
            return
        if inbound.response_url and self.outbox.respond(inbound.response_url, reply):
            return
        if message.dm:  # only the asker is there
            self.outbox.post(message.channel, reply, thread_ts=message.thread_ts)
        else:
            self.outbox.ephemeral(message.channel, message.user, reply, thread_ts=message.thread_ts)


def _could_not(request_id: str) -> Reply:
    return Reply.text(
        md("Sorry, I could not answer that request (request id {r}).", r=code(request_id)),
        ephemeral=True,
    )


def _echo(inbound: Inbound) -> str:
    return f"{inbound.command} {inbound.raw_text}".strip()


def _with_command_context(reply: Reply, inbound: Inbound) -> Reply:
    context = Context(
        md("{c} · asked by {u}", c=code(_echo(inbound)), u=mention(inbound.message.user))
    )
    return Reply(
        summary=reply.summary,
        blocks=(context, *reply.blocks),
        files=reply.files,
        ephemeral=reply.ephemeral,
        silent=reply.silent,
    )
