"""The one renderer: reply values → Slack Block Kit (``slack_sdk.models.blocks``).

Every piece of text in a Reply is already safe mrkdwn (see ``intents.reply``);
here we only lay it out and keep within Block Kit's limits without cutting an
entity or a mention in half.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from intents.reply import Actions, Context, Divider, Header, Reply, Section, _strip, readable

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_TEXT = 3000
_PARTIAL = re.compile(r"(&[a-z]*|<[^>]*)$")


def clip(text: str, limit: int) -> str:
    """Shorten mrkdwn to *limit* characters without leaving half an entity or link."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL.sub("", text[: limit - 1])
    # An odd number of ``` would leave a code block open.
    if cut.count("```") % 2:
        cut = cut[: cut.rfind("```")]
    return cut + "…"


@dataclass(frozen=True)
class Rendered:
    text: str  # notification / fallback text
    blocks: list[dict[str, Any]]


def _section(section: Section) -> list[Block]:
    blocks: list[Block] = []
    fields = [
        MarkdownTextObject(text=clip(f"*{_label(label)}*\n{value or '–'}", MAX_FIELD))
        for label, value in section.fields
    ]
    text = clip(section.text, MAX_SECTION) if section.text else None
    first = True
    while first or fields:
        chunk, fields = fields[:MAX_FIELDS], fields[MAX_FIELDS:]
        if text or chunk:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=text) if text else None, fields=chunk or None
                )
            )
        text, first = None, False
    return blocks


def _label(label: str) -> str:
    return label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "")


def to_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[Block] = []
    for block in reply.blocks:
        if isinstance(block, Header):
            text = block.text.strip() or " "
            blocks.append(HeaderBlock(text=PlainTextObject(text=text[:MAX_HEADER], emoji=True)))
        elif isinstance(block, Section):
            blocks.extend(_section(block))
        elif isinstance(block, Context):
            blocks.append(
                ContextBlock(elements=[MarkdownTextObject(text=clip(block.text, MAX_TEXT))])
            )
        elif isinstance(block, Divider):
            blocks.append(DividerBlock())
        elif isinstance(block, Actions):
            blocks.append(
                ActionsBlock(
                    elements=[
                        ButtonElement(
                            text=PlainTextObject(text=b.label[:MAX_BUTTON], emoji=True),
                            action_id=b.action_id,
                            value=b.value[:2000],
                            style=b.style,
                        )
                        for b in block.buttons
                    ]
                )
            )
    if len(blocks) > MAX_BLOCKS:
        blocks = [
            *blocks[: MAX_BLOCKS - 1],
            ContextBlock(elements=[MarkdownTextObject(text="…more than fits in one message.")]),
        ]
    return [b.to_dict() for b in blocks]


def render(reply: Reply, names: Callable[[str], str | None] | None = None) -> Rendered:
    """Block Kit and the notification text. The text is what a phone shows: plain words,
    people as @name (*names*: user id -> name), no *bold* or `code` markers; it is mrkdwn
    too, so it is escaped like everything else (and so can neither ping nor link)."""
    text = readable(reply.summary.strip() or _first_text(reply), names).strip() or " "
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Rendered(text=clip(safe, MAX_TEXT), blocks=to_blocks(reply))


def _first_text(reply: Reply) -> str:
    for block in reply.blocks:
        if isinstance(block, Section) and block.text:
            return _strip(block.text)
        if isinstance(block, Header):
            return block.text
    return ""
