"""Slack message markup -> plain text, before the language layer sees a message.

Slack hands us mrkdwn: ``<@U123>`` mentions, ``<https://x|label>`` links,
``<#C123|name>`` channels, ``&amp;`` entities and ``:emoji:`` codes. Language
understanding only ever reads the plain text this module makes of it.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_CONSOLE = re.compile(r"^https?://[\w.\-]*console\.aws\.amazon\.com/", re.I)
_EMOJI_CODE = re.compile(r"(?<![\w:]):[a-z0-9_+\-]+:(?![\w])")
# Quoted text is a value as written ("sentiment of 'love it :heart_eyes:'"): its emoji
# codes stay.
_QUOTED = re.compile(r'"[^"\n]*"|\u201c[^\u201d\n]*\u201d|`[^`]*`|(?<![\w])\'[^\'\n]+\'(?![\w])')


def _link(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "!")):
        return " "  # a user mention or a special mention (<!here>) is not part of the request
    if target.startswith("#"):
        return f"#{label}" if label else " "
    if target.startswith("mailto:"):
        return label or target[7:]
    if label and _CONSOLE.search(target):
        # "<https://...console.aws.amazon.com/sagemaker/...#/jobs/x|this job>": the link
        # says which resource "this job" is, so both stay.
        return f"{label} {target}"
    return label or target


def to_plain(text: str) -> str:
    """Mentions dropped, links shown as their label (an AWS console link as its label and
    its address), channels as #name, entities decoded,
    emoji codes dropped (except within quoted text)."""
    text = _LINK.sub(_link, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    out, pos = [], 0
    for m in _QUOTED.finditer(text):
        out += [_EMOJI_CODE.sub(" ", text[pos : m.start()]), m.group(0)]
        pos = m.end()
    out.append(_EMOJI_CODE.sub(" ", text[pos:]))
    return "".join(out)
