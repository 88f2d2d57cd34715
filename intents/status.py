"""One way to show a job's status, whichever service wrote it.

SageMaker writes ``InProgress`` and ``FeatureEngineering``, Neo and Glue ``COMPLETED`` and
``RUNNING``, Transcribe ``IN_PROGRESS``. A reply shows every one of them the same way:
sentence case with spaces ("In progress", "Feature engineering", "Completed"), with one
icon per kind of state.
"""

from __future__ import annotations

import re

from intents.reply import Md

ACTIVE = frozenset(
    {
        "inprogress",
        "starting",
        "stopping",
        "initializing",
        "pending",
        "running",
        "queued",
        "waiting",
        "executing",
        "downloading",
        "training",
        "uploading",
        "creating",
        "updating",
    }
)
_ICONS = {
    "completed": ":white_check_mark:",
    "succeeded": ":white_check_mark:",
    "failed": ":x:",
    "error": ":x:",
    "timeout": ":x:",
    "stopping": ":double_vertical_bar:",
    "stopped": ":black_square_for_stop:",
}


def _key(status: str) -> str:
    return re.sub(r"[\s_\-]", "", status).lower()


def status_text(status: str | None) -> str:
    """'InProgress' / 'IN_PROGRESS' / 'in progress' -> 'In progress'; 'COMPLETED' ->
    'Completed'; 'FeatureEngineering' -> 'Feature engineering'."""
    raw = (status or "").strip()
    if not raw:
        return "Unknown"
    if "_" in raw or raw.isupper() or " " in raw:
        words = [w for w in re.split(r"[_\s]+", raw) if w]
    else:
        words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", raw) or [raw]
    text = " ".join(w.lower() for w in words)
    return text[:1].upper() + text[1:]


def is_active(status: str | None) -> bool:
    """Whether a job in this status is still running (or about to)."""
    return _key(status or "") in ACTIVE


def is_done(status: str | None) -> bool:
    """Whether a job in this status will not change any more."""
    return _key(status or "") in {"completed", "succeeded", "failed", "stopped", "error", "timeout"}


def status_icon(status: str | None) -> Md:
    key = _key(status or "")
    if key in _ICONS:
        return Md(_ICONS[key])
    return Md(":large_blue_circle:" if key in ACTIVE else ":white_circle:")
