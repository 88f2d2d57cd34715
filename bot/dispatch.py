"""The one place every request passes through before its handler runs.

Here a Slack message becomes an understood :class:`Request`; here mutating
intents are stopped and turned into confirmation cards; here approvals are
checked, the audit log is written, and errors become short replies with a
request id (the traceback goes to the log, never to the channel).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.deps import Deps
from bot.inbound import Inbound
from bot.logs import new_request_id, request_context
from bot.slack_out import SlackOut, Working
from bot.store import Plan
from intents.aws import translate
from intents.base import Approved, IntentSpec, Refused, Request, UserError
from intents.reply import (
    Actions,
    Button,
    Context,
    Divider,
    Header,
    Md,
    Proposal,
    Reply,
    Section,
    code,
    md,
    mention,
)
from lex.commands import CommandParser
from lex.local import MAX_TEXT, yes_or_no
from lex.runtime import LexRouter, TextTooLong, Understanding, session_id

log = logging.getLogger(__name__)
FALLBACK = "FallbackIntent"
APPROVE, CANCEL = "plan_approve", "plan_cancel"
AMBIENT_CONFIDENCE = 0.8  # how sure we must be to answer a message that wasn't said to us


@dataclass(frozen=True)
class Click:
    """A button click on a confirmation card."""

    action_id: str
    value: str
    user: str
    team: str
    channel: str
    message_ts: str | None


def error_reply(error: UserError | str, request_id: str) -> Reply:
    message = error.message if isinstance(error, UserError) else error
    hint = error.hint if isinstance(error, UserError) else ""
    body = md(":warning: {m}", m=message) + (md(" {h}", h=hint) if hint else "")
    return Reply(summary=message, blocks=(Section(body), Context(md("request {r}", r=request_id))))


def internal_error_reply(request_id: str) -> Reply:
    return error_reply(
        UserError(
            "Something went wrong on my side.",
            hint="It has been logged; quote the request id if you ask the team.",
        ),
        request_id,
    )


class Dispatcher:
    def __init__(
        self,
        deps: Deps,
        understander: LexRouter,
        commands: CommandParser,
        out: SlackOut,
        *,
        working_delay: float = 1.0,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.deps = deps
        self.understander = understander
        self.commands = commands
        self.out = out
        self.working_delay = working_delay
        self._on_change = on_change or (lambda: None)

    # ------------------------------------------------------------------ entry points

    def handle_inbound(self, inbound: Inbound) -> None:
        """A message, mention, DM, thread reply or slash command (after Slack was acked)."""
        with request_context(new_request_id()) as request_id:
            if not self.deps.store.first_delivery(inbound.delivery_key):
                log.info("ignoring a repeated delivery of %s", inbound.delivery_key)
                return
            placeholder = None
            if inbound.source == "command":
                placeholder = Reply.text(
                    md("_Working on {c}…_", c=code(f"{inbound.command} {inbound.text}"))
                )
            working = Working(
                self.out,
                inbound.channel,
                message_ts=inbound.message_ts,
                thread_ts=inbound.thread_ts,
                placeholder=placeholder,
                delay=self.working_delay,
            )
            plan: Plan | None = None
            try:
                reply, plan = self._answer(inbound, request_id)
            except Exception:
                log.exception("failed to answer %s from %s", inbound.source, inbound.user)
                reply = internal_error_reply(request_id) if inbound.addressed else Reply.nothing()
            if inbound.source == "command" and not reply.silent:
                reply = _with_command_context(reply, inbound)
            ts = working.finish(reply)
            if ts is None and inbound.response_url and not reply.silent:
                # Not a member of the channel: answer through the command's response URL.
                self.out.respond(inbound.response_url, reply)
            if ts is not None:
                self.deps.store.join_thread(inbound.channel, inbound.thread_ts or ts)
                if plan is not None:
                    self.deps.store.set_card(plan.id, ts)
            self._on_change()  # a handler may have started something to follow

    def handle_click(self, click: Click) -> None:
        """Approve or Cancel on a confirmation card."""
        with request_context(new_request_id()) as request_id:
            try:
                self._click(click, request_id)
            except Exception:
                log.exception("failed to handle %s", click.action_id)
                self.out.ephemeral(click.channel, click.user, internal_error_reply(request_id))

    # ------------------------------------------------------------------ understanding

    def _answer(self, inbound: Inbound, request_id: str) -> tuple[Reply, Plan | None]:
        text = inbound.text
        if len(text) > MAX_TEXT:
            if not inbound.addressed:
                return Reply.nothing(), None
            return _too_long(len(text), request_id), None
        if inbound.source == "command":
            parsed = self.commands.parse(text)
            if parsed.understanding is None:
                return error_reply(
                    UserError(
                        parsed.problem or "I didn't understand that.", hint="Try `/ml help`."
                    ),
                    request_id,
                ), None
            understanding = parsed.understanding
        else:
            try:
                understanding = self.understander.understand(
                    self._session(inbound), text, request_id=request_id
                )
            except TextTooLong as exc:
                return (
                    _too_long(exc.length, request_id) if inbound.addressed else Reply.nothing()
                ), None
        log.info(
            "%s from %s: %s (%s, %s)",
            inbound.source,
            inbound.user,
            understanding.intent,
            understanding.dialog,
            understanding.source,
        )
        request = Request(
            id=request_id,
            intent=understanding.intent,
            slots=understanding.slots,
            user=inbound.user,
            channel=inbound.channel,
            team=inbound.team,
            thread_ts=inbound.thread_ts,
            text=text,
            files=inbound.files,
            source=inbound.source,
            origin_key=inbound.delivery_key,
        )
        return self._route(inbound, request, understanding)

    def _session(self, inbound: Inbound) -> str:
        return session_id(inbound.team, inbound.channel, inbound.user)

    def _route(
        self, inbound: Inbound, request: Request, u: Understanding
    ) -> tuple[Reply, Plan | None]:
        spec = self.deps.registry.specs.get(u.intent)
        if not inbound.addressed and u.intent != FALLBACK:
            return self._overheard(request, u, spec), None
        if u.intent == FALLBACK and inbound.addressed:
            answer = yes_or_no(request.text)
            if answer is not None:
                # "yes" after Lex forgot the conversation (idle timeout) but the card is still valid.
                plan = self.deps.store.latest_pending(request.channel, request.user)
                if plan is not None:
                    problem = self._decide(
                        plan, request.user, approve=answer, request_id=request.id
                    )
                    return (Reply.text(problem) if problem else Reply.nothing()), None
        if u.intent == FALLBACK or spec is None:
            if not inbound.addressed:
                return Reply.nothing(), None
            if u.message:  # e.g. "OK, I've cancelled that." after a dialog gave up
                return Reply.text(md("{m}", m=u.message)), None
            return self.run(request, self.deps.registry.specs[FALLBACK]), None
        if u.dialog == "ElicitSlot" and u.message:
            return Reply.text(md("{m}", m=u.message)), None
        if u.confirmation == "Denied":
            self._cancel_pending(request)
            return Reply.text(md("{m}", m=u.message or "OK, cancelled.")), None
        if u.state == "Failed":
            return Reply.text(md("{m}", m=u.message or "OK, I've dropped that.")), None
        if spec.mutating:
            if u.confirmation == "Confirmed":
                return self._confirm_by_text(request), None
            return self.propose(request, spec)
        return self.run(request, spec), None

    def _overheard(self, request: Request, u: Understanding, spec: IntentSpec | None) -> Reply:
        """A message in a thread we're in but not said to us: answer only a clear, complete
        question; stay out of conversations, dialogs, changes and errors."""
        confident = (u.confidence or 0.0) >= AMBIENT_CONFIDENCE
        if spec is None or spec.mutating or not u.ready or not confident:
            self.understander.reset(session_id(request.team, request.channel, request.user))
            return Reply.nothing()
        try:
            reply = self._answer_with(spec, request)
        except Exception:
            log.info(
                "overheard %s could not be answered; staying quiet", request.intent, exc_info=True
            )
            return Reply.nothing()
        self._audit(request, "answered")
        return reply

    # ------------------------------------------------------------------ running handlers

    def _call(self, spec: IntentSpec, request: Request) -> Reply | Proposal:
        self._check_settings(spec)
        return spec.handler(request, self.deps)

    def _answer_with(self, spec: IntentSpec, request: Request) -> Reply:
        result = self._call(spec, request)
        if isinstance(result, Proposal):  # a handler must not slip past the gate
            raise TypeError(f"{spec.name} returned a Proposal but is not mutating")
        return result

    def run(self, request: Request, spec: IntentSpec) -> Reply:
        """Run a non-mutating handler; every failure becomes a short reply."""
        try:
            reply = self._answer_with(spec, request)
        except Exception as exc:
            return self._failure(request, exc)
        self._audit(request, "answered")
        return reply

    def _failure(self, request: Request, exc: BaseException, outcome: str = "error") -> Reply:
        known = exc if isinstance(exc, UserError) else translate(exc)
        if known is not None:
            log.info("%s refused: %s", request.intent, known.message)
            self._audit(
                request, "refused" if isinstance(known, Refused) else outcome, known.message
            )
            return error_reply(known, request.id)
        log.error("%s failed", request.intent, exc_info=exc)
        self._audit(request, outcome, type(exc).__name__)
        return internal_error_reply(request.id)

    def _check_settings(self, spec: IntentSpec) -> None:
        settings = self.deps.settings
        missing = [
            name for name in spec.requires if getattr(settings, name, None) in (None, "", [])
        ]
        if missing:
            from bot.settings import env_name

            names = ", ".join(env_name(n) for n in missing)
            raise Refused(
                f"This needs a setting the bot doesn't have yet: {names}.",
                hint="Ask whoever runs the bot to set it.",
            )

    # ------------------------------------------------------------------ confirmation

    def propose(self, request: Request, spec: IntentSpec) -> tuple[Reply, Plan | None]:
        """Validate a mutating request and show what it would do, with Approve / Cancel."""
        existing = self.deps.store.plan_by_origin(request.origin_key, request.intent)
        if existing is not None:
            log.info("plan %s already exists for this delivery", existing.id)
            return Reply.nothing(), None
        try:
            proposal = self._call(spec, request)
            if not isinstance(proposal, Proposal):
                raise TypeError(f"{spec.name} is mutating but did not return a Proposal")
        except Exception as exc:
            self.understander.reset(session_id(request.team, request.channel, request.user))
            return self._failure(request, exc, "refused"), None
        ttl = self.deps.settings.confirmation_ttl_minutes * 60
        plan = self.deps.store.add_plan(
            plan_id=secrets.token_urlsafe(16),
            intent=request.intent,
            params=dict(proposal.params),
            requester=request.user,
            team=request.team,
            channel=request.channel,
            thread_ts=request.thread_ts,
            request_id=request.id,
            origin_key=request.origin_key,
            title=proposal.title,
            ttl_seconds=ttl,
            now=self.deps.clock(),
            card=_card_content(proposal),
        )
        self._audit(request, "proposed", proposal.title)
        return self._card(plan, "pending"), plan

    def _confirm_by_text(self, request: Request) -> Reply:
        """The requester said "yes" to Lex's confirmation: approve their pending card."""
        plan = self.deps.store.latest_pending(request.channel, request.user, request.intent)
        if plan is None:
            return Reply.text(
                md(
                    "There's nothing waiting for your confirmation here"
                    " (it may have expired). Ask again and I'll prepare a new one."
                )
            )
        self._decide(plan, request.user, approve=True, request_id=request.id)
        return Reply.nothing()

    def _cancel_pending(self, request: Request) -> None:
        plan = self.deps.store.latest_pending(request.channel, request.user, request.intent)
        if plan is not None:
            self._decide(plan, request.user, approve=False, request_id=request.id)

    def _click(self, click: Click, request_id: str) -> None:
        plan = self.deps.store.plan(click.value) if click.value else None
        if plan is None or plan.channel != click.channel:
            log.warning("click on an unknown plan by %s", click.user)
            self.out.ephemeral(
                click.channel,
                click.user,
                Reply.text(md("That request is unknown or no longer valid; nothing was done.")),
            )
            return
        approve = click.action_id == APPROVE
        problem = self._decide(plan, click.user, approve=approve, request_id=request_id)
        if problem:
            self.out.ephemeral(
                click.channel, click.user, Reply.text(problem), thread_ts=plan.thread_ts
            )
            return
        # Decided by button: Lex's pending "are you sure?" for the requester is moot now.
        self.understander.reset(session_id(plan.team, plan.channel, plan.requester))

    def may_approve(self, plan: Plan, user: str) -> bool:
        return user == plan.requester or user in self.deps.settings.approvers

    def _decide(self, plan: Plan, user: str, *, approve: bool, request_id: str) -> Md | None:
        """Approve or cancel a plan; returns why not, when the user cannot."""
        store, now = self.deps.store, self.deps.clock()
        if plan.state != "pending":
            who = mention(plan.decided_by) if plan.decided_by else md("someone")
            return md(
                "This request was already {s} by {w}; nothing more was done.",
                s=_STATE_WORDS.get(plan.state, plan.state),
                w=who,
            )
        if now >= plan.expires_at:
            if store.expire(plan.id, now=now):
                self._update_card(store.plan(plan.id) or plan, "expired")
                self._audit_plan(plan, user, "expired", request_id)
            return md(
                "This request expired at {t} without approval; ask again for a new one.",
                t=_clock(plan.expires_at),
            )
        if not self.may_approve(plan, user):
            action = "approve" if approve else "cancel"
            return md(
                "Only {r} or an approver can {a} this request.", r=mention(plan.requester), a=action
            )
        state = "approved" if approve else "cancelled"
        if not store.decide(plan.id, state=state, by=user, now=now):
            fresh = store.plan(plan.id) or plan
            return md(
                "This request was already {s}; nothing more was done.",
                s=_STATE_WORDS.get(fresh.state, fresh.state),
            )
        decided = store.plan(plan.id) or plan
        self._audit_plan(plan, user, state, request_id)
        if not approve:
            self._update_card(decided, "cancelled")
            return None
        self._update_card(decided, "running")
        self._execute(decided, user, request_id)
        return None

    def _execute(self, plan: Plan, approver: str, request_id: str) -> None:
        executor = self.deps.registry.executors[plan.intent]
        approved = Approved(
            plan_id=plan.id,
            intent=plan.intent,
            params=plan.params,
            requester=plan.requester,
            approver=approver,
            channel=plan.channel,
            thread_ts=plan.thread_ts or plan.card_ts,
            request_id=plan.request_id,
            origin_key=plan.origin_key,
        )
        request = Request(
            id=request_id,
            intent=plan.intent,
            slots={},
            user=approver,
            channel=plan.channel,
            team=plan.team,
            thread_ts=approved.thread_ts,
        )
        try:
            outcome = executor(approved, self.deps)
            self.deps.store.finish_plan(plan.id, state="done", outcome=outcome.summary[:500])
            self._audit(request, "done", outcome.summary)
            self._update_card(self.deps.store.plan(plan.id) or plan, "done", outcome)
            self._on_change()
        except Exception as exc:
            reply = self._failure(request, exc, "failed")
            self.deps.store.finish_plan(plan.id, state="failed", outcome=reply.summary[:500])
            self._update_card(self.deps.store.plan(plan.id) or plan, "failed", reply)

    # ------------------------------------------------------------------ cards

    def _card(self, plan: Plan, state: str, outcome: Reply | None = None) -> Reply:
        content = plan.card or {}
        blocks: list[Any] = [Header(("Confirm: " if state == "pending" else "") + plan.title)]
        if content.get("summary"):
            blocks.append(Section(Md(content["summary"])))
        details = tuple((label, Md(value)) for label, value in content.get("details", []))
        if details:
            blocks.append(Section(fields=details))
        if content.get("warning"):
            blocks.append(Context(Md(content["warning"])))
        if state == "pending":
            blocks.append(
                Context(
                    md(
                        "Requested by {r} · expires at {t} · reply *yes* or *no*, or use the buttons",
                        r=mention(plan.requester),
                        t=_clock(plan.expires_at),
                    )
                )
            )
            blocks.append(
                Actions(
                    (
                        Button("Approve", APPROVE, plan.id, "primary"),
                        Button("Cancel", CANCEL, plan.id, "danger"),
                    )
                )
            )
        else:
            who = mention(plan.decided_by) if plan.decided_by else md("nobody")
            status = {
                "running": md(":hourglass_flowing_sand: Approved by {w}, working on it…", w=who),
                "done": md(":white_check_mark: Approved by {w}", w=who),
                "failed": md(":x: Approved by {w}, but it failed", w=who),
                "cancelled": md(":no_entry_sign: Cancelled by {w}", w=who),
                "expired": md(
                    ":hourglass: Expired at {t} without approval", t=_clock(plan.expires_at)
                ),
            }[state]
            if outcome is not None and not outcome.silent:
                blocks.append(Divider())
                blocks.extend(outcome.blocks)
            blocks.append(
                Context(
                    status
                    + md(
                        " · requested by {r} · request {i}",
                        r=mention(plan.requester),
                        i=plan.request_id,
                    )
                )
            )
        summary = {
            "pending": f"Confirm: {plan.title}",
            "running": f"Approved: {plan.title}",
            "done": outcome.summary if outcome else plan.title,
            "failed": outcome.summary if outcome else f"Failed: {plan.title}",
            "cancelled": f"Cancelled: {plan.title}",
            "expired": f"Expired: {plan.title}",
        }[state]
        return Reply(summary=summary, blocks=tuple(blocks))

    def _update_card(self, plan: Plan, state: str, outcome: Reply | None = None) -> None:
        reply = self._card(plan, state, outcome)
        if plan.card_ts and self.out.update(plan.channel, plan.card_ts, reply):
            return
        self.out.post(plan.channel, reply, thread_ts=plan.thread_ts)

    # ------------------------------------------------------------------ audit

    def _audit(self, request: Request, outcome: str, detail: str = "") -> None:
        self.deps.store.audit(
            request_id=request.id,
            user=request.user,
            channel=request.channel,
            intent=request.intent,
            slots=dict(request.slots),
            outcome=outcome,
            detail=detail,
        )

    def _audit_plan(self, plan: Plan, user: str, outcome: str, request_id: str) -> None:
        self.deps.store.audit(
            request_id=request_id,
            user=user,
            channel=plan.channel,
            intent=plan.intent,
            slots={k: str(v) for k, v in plan.params.items() if isinstance(v, str | int | float)},
            outcome=outcome,
            detail=plan.title,
        )


_STATE_WORDS = {
    "approved": "approved",
    "cancelled": "cancelled",
    "expired": "expired",
    "done": "approved and run",
    "failed": "approved (and it failed)",
}


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M UTC")


def _card_content(proposal: Proposal) -> dict[str, Any]:
    return {
        "summary": str(proposal.summary),
        "details": [[label, str(value)] for label, value in proposal.details],
        "warning": str(proposal.warning) if proposal.warning else "",
    }


def _too_long(length: int, request_id: str) -> Reply:
    return error_reply(
        UserError(
            f"That message is {length:,} characters long; I can read up to {MAX_TEXT:,} at a time.",
            hint="Please shorten it (for a big payload, put it in S3 and give me the URI).",
        ),
        request_id,
    )


def _with_command_context(reply: Reply, inbound: Inbound) -> Reply:
    context = Context(
        md(
            "{c} · asked by {u}",
            c=code(f"{inbound.command} {inbound.text}".strip()),
            u=mention(inbound.user),
        )
    )
    return Reply(
        summary=reply.summary,
        blocks=(context, *reply.blocks),
        files=reply.files,
        ephemeral=reply.ephemeral,
        silent=reply.silent,
    )
