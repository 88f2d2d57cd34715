"""Long lists in replies: the rows that fit, "…and N more" with the true N, and the whole
list as a CSV file when it was cut.

Handlers order their rows by what matters (unhealthy, violating, most expensive first)
before cutting, so what is left out is what matters least; the count of what is left out
is always the true one, from the complete listing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from intents.reply import FileOut, Md, md

# A Slack section holds 3,000 characters; a little room is left for a closing line.
SECTION_CHARS = 2800
MAX_ROWS = 25


@dataclass(frozen=True)
class Cut:
    """The first rows of a list that fit in one section, and how many were left out."""

    rows: tuple[Md, ...]
    more: int

    @property
    def cut(self) -> bool:
        return self.more > 0


def cut(rows: Sequence[Md], *, max_rows: int = MAX_ROWS, max_chars: int = SECTION_CHARS) -> Cut:
    """As many whole rows as fit in *max_rows* and *max_chars* (joined by newlines), keeping
    room for the "…and N more" line."""
    kept: list[Md] = []
    used = 0
    for row in rows[:max_rows]:
        need = len(row) + 1
        if kept and used + need > max_chars - 80:
            break
        kept.append(row)
        used += need
    return Cut(tuple(kept), len(rows) - len(kept))


def more_line(more: int, noun: str, *, attached: str | None = None) -> Md:
    """'…and 92 more training jobs (all 100 in training-jobs.csv)'."""
    return md(
        "…and {n} more {w}{a}",
        n=f"{more:,}",
        w=noun,
        a=md(" (the whole list is in {f})", f=attached) if attached else md(""),
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell that a spreadsheet would run as a formula is kept as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_file(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> FileOut:
    """A CSV attachment (UTF-8, a header row) of a whole list."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
    return FileOut(
        filename=filename,
        content=out.getvalue().encode("utf-8"),
        title=filename,
        alt=f"{count:,} rows: {', '.join(header)}",
    )
