"""The one renderer: reply values → Slack Block Kit (``slack_sdk.models.blocks``).

Every piece of text in a Reply is already safe mrkdwn (see ``intents.reply``);
here we only lay it out and keep within Block Kit's limits without cutting an
entity or a mention in half.
"""

from __future__ import annotations

import re
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

from intents.reply import Actions, Button, Context, Divider, Header, Reply, Section, _strip

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_TEXT = 3000
# What a cut must keep whole: a code block (it may span lines), then, inside one line, a
# link or mention, an entity, inline code, *bold*, _italic_, ~strike~, or a word.
_CODE_BLOCK = re.compile(r"```.*?```", re.S)
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|`[^`\n]*`|\*[^*\n]*\*|_[^_\n]*_|~[^~\n]*~|\s+|[^\s<&`*_~]+|.")


def _units(text: str) -> list[str]:
    """The text's lines, with each code block kept as one unit however many lines it has."""
    units: list[str] = []
    at = 0
    for block in _CODE_BLOCK.finditer(text):
        before = text[at : block.start()]
        head, sep, last = before.rpartition("\n")
        units.extend(head.split("\n") if sep else [])
        # the block, with what stands before it on its line and after it up to the line's end
        end = text.find("\n", block.end())
        end = len(text) if end < 0 else end
        units.append(last + text[block.start() : end])
        at = end + 1
    if at <= len(text):
        units.extend(text[at:].split("\n"))
    return units


def _shorten_unit(unit: str, limit: int) -> str:
    """One line (or code block) cut to *limit* characters between whole atoms; a code block
    keeps its first lines and is closed again."""
    if "```" in unit:
        opening = unit.index("```")
        inner = unit[opening + 3 : unit.rindex("```")]
        kept: list[str] = []
        room = limit - opening - 6 - 1
        for line in inner.split("\n"):
            if len("\n".join([*kept, line])) > room:
                break
            kept.append(line)
        return unit[:opening] + "```" + "\n".join(kept) + "\n…```" if kept else ""
    out = ""
    for atom in _ATOM.findall(unit):
        if len(out) + len(atom) > limit:
            break
        out += atom
    return out.rstrip()


def clip(text: str, limit: int) -> str:
    """Shorten mrkdwn to at most *limit* characters by dropping whole lines from the end (a
    code block counts as one), saying how many; a single line too long is cut between whole
    words, entities, links, code spans and bold or italic runs, never inside one."""
    if len(text) <= limit:
        return text
    units = _units(text)
    kept: list[str] = []
    for i, unit in enumerate(units):
        rest = len(units) - i - 1
        more = f"\n…and {rest:,} more lines" if rest else ""
        candidate = "\n".join([*kept, unit])
        if len(candidate) + len(more) > limit:
            if kept and "```" in unit:
                # A code block (a prediction, a log) keeps its first lines rather than vanish.
                room = limit - len("\n".join(kept)) - 1 - len(more)
                short = _shorten_unit(unit, room)
                if short:
                    return "\n".join([*kept, short]) + more
            break
        kept.append(unit)
    dropped = len(units) - len(kept)
    if kept:
        note = f"…and {dropped:,} more lines" if dropped > 1 else "…"
        return "\n".join([*kept, note])
    # Not even the first line fits: cut inside it, between whole pieces.
    first = _shorten_unit(units[0], limit - 2)
    if not first:
        return "…"
    return first if first.endswith("```") else first + " …"


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
    accessory = _button(section.accessory) if section.accessory else None
    first = True
    while first or fields:
        chunk, fields = fields[:MAX_FIELDS], fields[MAX_FIELDS:]
        if text or chunk:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=text) if text else None,
                    fields=chunk or None,
                    accessory=accessory,
                )
            )
        text, first, accessory = None, False, None
    return blocks


def _button(b: Button) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=b.label[:MAX_BUTTON], emoji=True),
        action_id=b.action_id,
        value=b.value[:2000],
        style=b.style,
    )


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
            blocks.append(ActionsBlock(elements=[_button(b) for b in block.buttons]))
    if len(blocks) > MAX_BLOCKS:
        blocks = [
            *blocks[: MAX_BLOCKS - 1],
            ContextBlock(elements=[MarkdownTextObject(text="…more than fits in one message.")]),
        ]
    return [b.to_dict() for b in blocks]


def render(reply: Reply) -> Rendered:
    text = reply.summary.strip() or _first_text(reply) or " "
    # The notification text is mrkdwn too: escape it like everything else.
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Rendered(text=clip(safe, MAX_TEXT), blocks=to_blocks(reply))


def _first_text(reply: Reply) -> str:
    for block in reply.blocks:
        if isinstance(block, Section) and block.text:
            return _strip(block.text)
        if isinstance(block, Header):
            return block.text
    return ""
