"""Numbers and durations people write in a request, read strictly.

One reading for every count and duration a handler takes from the text: a value
that is there but is not a positive whole number (``1e3``, ``-5``, ``2.5``) or not a
readable duration is refused with the rule, never clamped or replaced by a default.
Out-of-range values are checked by the guardrails that know the limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.errors import InvalidInput

_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# Something written where a number goes: digits with signs, dots, commas or exponents,
# or a number word. What it must look like to count as a number is decided after.
_NUMBERISH = (
    r"([-+]?(?:\d[\d.,_]*(?:[eE][-+]?\d+)?|\.\d+)|"
    + "|".join(sorted(_WORDS, key=len, reverse=True))
    + r")"
)
_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
}
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b"


@dataclass(frozen=True)
class Found:
    raw: str  # as written
    value: int


def whole(raw: str, what: str) -> int:
    """A positive whole number as written, or InvalidInput naming the rule."""
    text = raw.strip().lower().replace(",", "").replace("_", "")
    if text in _WORDS:
        return _WORDS[text]
    if not re.fullmatch(r"\+?\d+", text):
        raise InvalidInput(
            f"{raw.strip()!r} is not a whole number of {what}.",
            hint=f"Write the number of {what} as digits, like 2.",
        )
    value = int(text)
    if value < 1:
        raise InvalidInput(f"The number of {what} must be at least 1, not {value}.")
    return value


def count_in(text: str, nouns: str, what: str, *, key: str | None = None) -> Found | None:
    """The count written before one of *nouns* ("2 instances", "1e3 nodes") or as
    ``key=N``; None when the text names no count."""
    pattern = rf"(?<![\w.:/=-]){_NUMBERISH}\s*(?:x\s*)?(?:{nouns})\b"
    if key:
        pattern += rf"|\b{key}\s*=\s*(\S+)"
    match = re.search(pattern, text, re.I)
    if not match:
        return None
    raw = match.group(1) or match.group(2)
    return Found(raw, whole(raw, what))


def duration_in(text: str, lead: str | None = None) -> Found | None:
    """A duration in seconds: after one of the *lead* words ("for up to 3 hours",
    "max_runtime=90min"), or with no lead, any "<number> <unit>" that is not about the
    past or a frequency ("3 weeks", but not "last 3 days" or "every 2 hours"); None when
    there is none."""
    if lead:
        pattern = rf"\b(?:{lead})\s*(?:=|of|:)?\s*{_NUMBERISH}\s*{_UNIT}"
    else:
        pattern = rf"(?<![\w./:=-])(?<!last )(?<!past )(?<!every ){_NUMBERISH}\s*{_UNIT}"
    match = re.search(pattern, text, re.I)

    if not match:
        return None
    raw_number, unit = match.group(1), match.group(2).lower()
    text_number = raw_number.lower().replace(",", "")
    if text_number in _WORDS:
        number = float(_WORDS[text_number])
    elif re.fullmatch(r"\+?(\d+(\.\d+)?|\.\d+)", text_number):
        number = float(text_number)
    else:
        raise InvalidInput(
            f"{raw_number!r} is not a duration I can read.",
            hint="Write it like 3 hours, 90 minutes or 2 days.",
        )
    seconds = round(number * _UNITS[unit])
    if seconds <= 0:
        raise InvalidInput(
            f"A duration of {raw_number} {unit} is not more than zero.",
            hint="Give a positive duration, like 2 hours.",
        )

    return Found(f"{raw_number} {unit}", seconds)
