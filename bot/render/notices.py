"""Replies the bot writes about itself: errors with a request id, text too long."""

from __future__ import annotations

from intents.errors import UserError
from intents.reply import Context, Reply, Section, md
from lex.local import MAX_TEXT


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


def too_long(length: int, request_id: str) -> Reply:
    return error_reply(
        UserError(
            f"That message is {length:,} characters long; I can read up to {MAX_TEXT:,} at a time.",
            hint="Please shorten it (for a big payload, put it in S3 and give me the URI).",
        ),
        request_id,
    )
