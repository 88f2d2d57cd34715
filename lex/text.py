"""Text clean-up and value spotting shared by the local runtime and the slash-command parser.

Text arrives here as plain text: the transport (``bot.slack.text``) has already
turned its own markup (mentions, links, entities) into words. :func:`normalize`
folds Unicode forms, quotes and symbols; :func:`find_spans` finds values that have
a shape of their own (S3 URIs, quoted text, JSON, CSV rows, instance types,
times) before any word is read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from lex.forms import is_command

_QUOTES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
# Arrows say "into" ('"gracias" → en'): typed as "->", so readers look for that one.
_ARROWS = re.compile(r"\s*[\u2192\u21d2\u2794\u27a1\u27f6\u279c\u2b95]\s*")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Plain text -> one form: Unicode folded, zero-width characters and pictographs
    dropped (except within quoted text), quotes straightened, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = text.translate(_QUOTES)
    text = _ARROWS.sub(" -> ", text)
    out, pos = [], 0
    for m in _QUOTED_TEXT.finditer(text):
        out += [_drop_symbols(text[pos : m.start()]), m.group(0).strip()]
        pos = m.end()
    out.append(_drop_symbols(text[pos:]))
    return _SPACES.sub(" ", "".join(out)).strip()


# Quoted text is a value as written ("sentiment of 'love it 😍'"): its pictographs stay.
_QUOTED_TEXT = re.compile(r'"[^"\n]*"|`[^`]*`|(?<![\w])\'[^\'\n]+\'(?![\w])')


def _drop_symbols(text: str) -> str:
    return "".join(" " if _is_symbol(ch) else ch for ch in text)


def _is_symbol(ch: str) -> bool:
    # Emoji and other pictographs carry no meaning for us; drop them.
    return ord(ch) > 0x2000 and unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cn")


@dataclass(frozen=True)
class Span:
    kind: str  # s3 | quoted | name | json | csv | url | instance | time | channel | mention | emoji
    start: int
    end: int
    raw: str
    value: str  # canonical value (content of quotes, ml. prefixed instance type, HH:MM)
    # For a name written as an ARN or a console link: what the resource is ("job",
    # "endpoint", "model", "budget", or another SageMaker resource type as written).
    of: str = ""


# The whole run after s3:// is the value, as written: a malformed URI (a user part, a bad
# bucket name) reaches the guardrails whole and is refused there, never cut to a bucket.
_S3 = re.compile(r"\b[sS]3://[^\s'\"`<>]+")

_URL = re.compile(r"\bhttps?://[^\s<>'\"]+")
# arn:partition:service:region:account:type/name (SageMaker, Budgets).
_ARN = re.compile(
    r"\barn:aws[a-z\-]*:([a-z0-9\-]+):[a-z0-9\-]*:(?:\d{12})?:([a-z\-]+)/([A-Za-z0-9][\w\-.]*)",
    re.I,
)
# What each resource type of an ARN or a console link is, in the words the name resolver
# uses for slots ("job" is a training job); other types keep their own word, which fills
# no slot but still says what the name is not.
_RESOURCE_KINDS = {
    "training-job": "job",
    "jobs": "job",
    "endpoint": "endpoint",
    "endpoints": "endpoint",
    "model": "model",
    "models": "model",
    "budget": "budget",
    "budgets": "budget",
}
# SageMaker console: .../sagemaker/home?region=x#/endpoints/NAME; Budgets: ...#/budgets/details?name=NAME
_CONSOLE = re.compile(
    r"console\.aws\.amazon\.com/(?:sagemaker|billing|costmanagement|cost-management)/"
    r"[^#\s]*#/([a-z\-]+)/(?:details\?(?:[^\s]*&)?name=)?([A-Za-z0-9][\w\-.%]*)",
    re.I,
)
_CHANNEL = re.compile(r"(?<![\w&#/])#(?=[\w\-.]*[a-z])[a-z0-9][\w\-.]*(?<![.\-])", re.I)
_MENTION = re.compile(r"(?<![\w@.])@[a-z0-9][\w\-.]*(?<![.\-])", re.I)
_EMOJI = re.compile(r"(?<![\w:]):[a-z0-9_+\-]+:(?![\w])")
# A code block, with its language tag if any (a newline after it becomes a space in normalize).
_CODE_BLOCK = re.compile(
    r"```(?:(?:json|csv|text|txt|plain|plaintext|js|javascript|python|py)(?=[\s{\[])\s*|[a-z]*\n)?"
    r"(.*?)```",
    re.S | re.I,
)
_BACKTICK = re.compile(r"`([^`\n]+)`")
_DOUBLE = re.compile(r'"([^"]+)"')
_SINGLE = re.compile(r"(?<![\w])'([^']+?)'(?![\w])")
_INSTANCE = re.compile(
    r"(?<![\w.])(?:ml\.)?([a-z][a-z0-9\-]*\d[a-z0-9\-]*)\.(\d*xlarge|large|medium|small|micro|nano|metal)(?![\w])",
    re.I,
)
_TIME_12 = re.compile(
    r"(?<![\w:.,])(\d{1,2})(?:[:.]([0-5]\d))?\s*(a\.?m\.?|p\.?m\.?)(?![\w])", re.I
)
_TIME_24 = re.compile(r"(?<![\w:.,])([01]?\d|2[0-3]):([0-5]\d)(?![\w:.,])")
_TIME_WORD = re.compile(r"\b(noon|midday|midnight)\b", re.I)
# "19h", "19h30": the continental way.
_TIME_H = re.compile(r"(?<![\w:.,])([01]?\d|2[0-3])h([0-5]\d)?(?![\w])", re.I)
# A bare hour only after "at": "every morning at 7", "at 0900", "at 9.30".
_TIME_AT = re.compile(
    r"\b(?:at|@)\s+(?:([01]\d|2[0-3])([0-5]\d)|(\d{1,2})(?:[:.]([0-5]\d))?)(?![\w:.,%/$-])", re.I
)
_HOUR_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ],
        1,
    )
}
_WORD_HOUR = "|".join(_HOUR_WORDS)
# "at nine", "seven pm", "half past nine", "quarter to eight", "nine thirty am".
_TIME_SPOKEN = re.compile(
    rf"\b(?:(half|quarter)\s+(past|to)\s+|(?<=\bat\s))({_WORD_HOUR})"
    rf"(?:\s+(o'?clock|thirty|fifteen|forty[- ]five))?(?:\s*(a\.?m\.?|p\.?m\.?)(?![\w]))?"
    rf"|\b({_WORD_HOUR})(?:\s+(o'?clock|thirty|fifteen|forty[- ]five))?\s*(a\.?m\.?|p\.?m\.?)(?![\w])",
    re.I,
)
_MINUTE_WORDS = {"thirty": 30, "fifteen": 15, "forty five": 45}
# Which half of the day a bare hour is in, when the message says.
_MORNING = re.compile(r"\b(?:morning|mornings|breakfast|a\.?m\.?)\b", re.I)
_EVENING = re.compile(
    r"\b(?:afternoon|afternoons|evening|evenings|night|nights|nightly|tonight|eod|p\.?m\.?)\b",
    re.I,
)


# What may follow a bare hour ("at 7 every day", "at 9 sharp"); "at 7 endpoints" is a count.
_AFTER_HOUR = frozenset(
    [
        "every",
        "each",
        "on",
        "daily",
        "weekly",
        "hourly",
        "sharp",
        "please",
        "pls",
        "plz",
        "thanks",
        "thx",
        "in",
        "and",
        "o'clock",
        "oclock",
        "then",
        "tomorrow",
        "today",
        "tonight",
        "morning",
        "mornings",
        "evening",
        "evenings",
        "night",
        "weekdays",
        "utc",
        "gmt",
        "cet",
        "pst",
        "est",
        "et",
        "pt",
        "local",
        "time",
        "with",
        "for",
        "to",
        "so",
        "if",
        "our",
        "my",
        "here",
        "there",
        "in",
        "this",
        "that",
        "the",
        "post",
        "send",
        "give",
        "share",
        "show",
        "remind",
        "tell",
        "run",
        "me",
        "us",
        "monday",
        "mondays",
        "tuesday",
        "tuesdays",
        "wednesday",
        "wednesdays",
        "thursday",
        "thursdays",
        "friday",
        "fridays",
        "saturday",
        "saturdays",
        "sunday",
        "sundays",
    ]
)


def _ends_a_time(text: str, end: int) -> bool:
    following = re.match(r"\s*([A-Za-z']+)", text[end:])
    return following is None or following.group(1).lower() in _AFTER_HOUR


def _bare_hour(hour: int, text: str) -> int:
    """An hour said without am/pm: the message's own "morning"/"evening" decides; without
    one, 1 to 6 are afternoon hours (nobody schedules a report for 3 at night)."""
    if hour >= 13 or hour == 0:
        return hour
    if _EVENING.search(text) and not _MORNING.search(text):
        return hour % 12 + 12
    if _MORNING.search(text):
        return hour % 12
    return hour + 12 if 1 <= hour <= 6 else hour


_CSV = re.compile(r"(?<![\w.:/\-])(?:-?[\w.]+\s*,\s*)+-?[\w.]+(?![\w:/])")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _json_spans(text: str) -> list[tuple[int, int]]:
    """Balanced {...} or [...] regions (JSON payloads)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if text[i] in "{[":
            close = {"{": "}", "[": "]"}[text[i]]
            depth, j, in_str = 0, i, False
            while j < len(text):
                ch = text[j]
                if in_str:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        in_str = False
                elif ch == '"':
                    in_str = True
                elif ch in "{[":
                    depth += 1
                elif ch in "}]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j < len(text) and text[j] == close and j - i >= 2:
                spans.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    return spans


def _quoted_kind(content: str) -> str:
    """Quoted text that is itself a value (a JSON document, a CSV row, an instance type, a
    resource name) is that value."""
    if content[0] in "{[" and _json_spans(content) == [(0, len(content))]:
        return "json"
    if _INSTANCE.fullmatch(content):
        return "instance"
    if looks_like_name(content):
        return "name"
    cells = [c.strip() for c in content.split(",")]
    if (
        len(cells) >= 2
        and all(cells)
        and any(_NUMBER.match(c) for c in cells)
        and " " not in content.replace(", ", ",")
    ):
        return "csv"
    return "quoted"


def _clock(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _spoken_time(m: re.Match[str], text: str, add: Callable[[str, int, int, str], None]) -> None:
    if m.group(3):
        relation, word, minutes, meridiem = m.group(2), m.group(3), m.group(4), m.group(5)
        half = m.group(1)
    else:
        relation, half = None, None
        word, minutes, meridiem = m.group(6), m.group(7), m.group(8)
    hour = _HOUR_WORDS[word.lower()]
    minute = _MINUTE_WORDS.get(re.sub(r"[- ]+", " ", (minutes or "").lower()), 0)
    if half:
        minute = 30 if half.lower() == "half" else 15
        if relation and relation.lower() == "to":
            hour, minute = (hour - 1) or 12, 60 - minute
    if meridiem:
        hour = (hour % 12) + (12 if meridiem.lower().startswith("p") else 0)
    elif not minutes and not half and not _ends_a_time(text, m.end()):
        return  # "at seven endpoints"
    else:
        hour = _bare_hour(hour, text)
    add("time", m.start(), m.end(), _clock(hour, minute))


def find_spans(text: str) -> list[Span]:
    """Non-overlapping values with a shape of their own, in text order."""
    found: list[Span] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(kind: str, start: int, end: int, value: str, of: str = "") -> None:
        if free(start, end):
            found.append(Span(kind, start, end, text[start:end], value, of))
            taken.append((start, end))

    def add_quoted(start: int, end: int, content: str) -> None:
        if is_command(content):
            return  # a pasted command or record is read like the rest of the message
        kind = _quoted_kind(content)
        if kind == "instance":
            m = _INSTANCE.fullmatch(content)
            assert m is not None
            content = f"ml.{m.group(1).lower()}.{m.group(2).lower()}"
        add(kind, start, end, content)

    for m in _CODE_BLOCK.finditer(text):
        content = m.group(1).strip()
        if content:
            add_quoted(m.start(), m.end(), content)
    for m in _ARN.finditer(text):
        service, kind, name = m.group(1).lower(), m.group(2).lower(), m.group(3)
        if service in ("sagemaker", "budgets"):
            add("name", m.start(), m.end(), name, _RESOURCE_KINDS.get(kind, kind))
    for m in _S3.finditer(text):
        raw = m.group(0).rstrip(".,;:!?)")
        add("s3", m.start(), m.start() + len(raw), "s3://" + raw[5:])
    for m in _URL.finditer(text):
        raw = m.group(0).rstrip(".,;:!?)")
        console = _CONSOLE.search(raw)
        if console:
            kind = console.group(1).lower()
            name = unquote(console.group(2))
            add("name", m.start(), m.start() + len(raw), name, _RESOURCE_KINDS.get(kind, kind))
        else:
            add("url", m.start(), m.start() + len(raw), raw)
    for start, end in _json_spans(text):
        add("json", start, end, text[start:end])
    for pattern in (_BACKTICK, _DOUBLE, _SINGLE):
        for m in pattern.finditer(text):
            content = m.group(1).strip()
            if content:
                add_quoted(m.start(), m.end(), content)
    # Slack markup made plain: a channel, a person or an emoji is never a value.
    for kind, pattern in (("channel", _CHANNEL), ("mention", _MENTION), ("emoji", _EMOJI)):
        for m in pattern.finditer(text):
            add(kind, m.start(), m.end(), m.group(0))
    for m in _INSTANCE.finditer(text):
        add("instance", m.start(), m.end(), f"ml.{m.group(1).lower()}.{m.group(2).lower()}")
    for m in _TIME_12.finditer(text):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if 1 <= hour <= 12:
            pm = m.group(3).lower().startswith("p")
            hour = (hour % 12) + (12 if pm else 0)
            add("time", m.start(), m.end(), _clock(hour, minute))
    for m in _TIME_24.finditer(text):
        add("time", m.start(), m.end(), _clock(int(m.group(1)), int(m.group(2))))
    for m in _TIME_WORD.finditer(text):
        add("time", m.start(), m.end(), "00:00" if m.group(1).lower() == "midnight" else "12:00")
    for m in _TIME_H.finditer(text):
        add("time", m.start(), m.end(), _clock(int(m.group(1)), int(m.group(2) or 0)))
    for m in _TIME_SPOKEN.finditer(text):
        _spoken_time(m, text, add)
    for m in _TIME_AT.finditer(text):
        if m.group(1):
            hour, minute = int(m.group(1)), int(m.group(2))
        else:
            hour, minute = int(m.group(3)), int(m.group(4) or 0)
            if hour > 23 or not _ends_a_time(text, m.end()):
                continue
            hour = _bare_hour(hour, text)
        start = m.start(1) if m.group(1) else m.start(3)
        add("time", start, m.end(), _clock(hour, minute))
    for m in _CSV.finditer(text):
        raw = m.group(0).strip()
        cells = [c.strip() for c in raw.split(",")]
        # A CSV row: several cells, at least one a number, no prose-like commas.
        if (
            len(cells) >= 2
            and any(_NUMBER.match(c) for c in cells)
            and " " not in raw.replace(", ", ",")
        ):
            add("csv", m.start(), m.start() + len(raw), raw)
    found.sort(key=lambda s: s.start)
    return found


def mask(text: str, spans: list[Span]) -> str:
    """Replace each span by a placeholder word (``__s3__``...), keeping the rest; a person
    or an emoji leaves nothing behind."""
    out, pos = [], 0
    for span in spans:
        kind = "payload" if span.kind in ("json", "csv") else span.kind
        out.append(text[pos : span.start])
        out.append(" " if kind in ("mention", "emoji") else f" __{kind}__ ")
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


# Words in any script ("inglés", "переведи"): letters and digits, joined by ' - _ or .
_TOKEN = re.compile(r"__[a-z0-9]+__|[^\W_]+(?:['\-_.][^\W_]+)*", re.I)


@dataclass(frozen=True)
class Token:
    text: str  # lower case
    raw: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group(0).lower(), m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)
    ]


def looks_like_name(token: str) -> bool:
    """A SageMaker-style resource name: letters and digits joined by '-' or '_'."""
    if len(token) < 3 or token.startswith("__") or _NUMBER.match(token):
        return False
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9\-_]*[A-Za-z0-9]$", token):
        return False
    has_alpha = any(c.isalpha() for c in token)
    if "-" in token or "_" in token:
        return has_alpha or token.count("-") >= 1
    return has_alpha and any(c.isdigit() for c in token) and len(token) >= 5


# Short words that make a hyphenated pair an English word rather than a resource name:
# "on-call", "follow-up", "one-liner", "check-in", "sign-off", "add-on".
_PARTICLES = frozenset(
    [
        "on",
        "up",
        "in",
        "off",
        "out",
        "to",
        "into",
        "onto",
        "one",
        "two",
        "over",
        "down",
        "by",
        "back",
        "away",
        "about",
        "through",
        "well",
        "self",
        "non",
        "all",
        # adjectives made of a noun: "error-free", "gpu-based", "cost-related"
        "free",
        "based",
        "related",
        "aware",
        "friendly",
        "driven",
        "specific",
    ]
)


def english_compound(token: str) -> bool:
    """Two words joined by a hyphen, one a particle ("on-call", "follow-up", "one-liner"):
    English, not a name. Digits, underscores or a third part make a name of it."""
    parts = token.lower().split("-")
    return (
        len(parts) == 2
        and "_" not in token
        and not any(c.isdigit() for c in token)
        and any(p in _PARTICLES for p in parts)
    )


def edits1_deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
