"""A question about an attached file goes to the demo that reads files of its kind."""

from __future__ import annotations

import pytest

from bot.gate.types import Message
from bot.gate.understand import _about_the_file
from intents.base import Attachment
from lex.runtime import Understanding

PDF = Attachment("F1", "report.pdf", "application/pdf", 136)
WAV = Attachment("F2", "standup.wav", "audio/wav", 2048)


def _message(text: str, *files: Attachment) -> Message:
    return Message("T", "C", "U1", text, "message", True, "ev:1", files=files)


@pytest.mark.parametrize(
    "text, files, heard, meant",
    [
        # The words alone read like the catalog ("what's in ..."): the file decides
        ("what's in this file?", (PDF,), "ListDatasets", "DetectLabels"),
        ("check the file I attached", (PDF,), "ListJobs", "DetectLabels"),
        ("", (PDF,), "Help", "DetectLabels"),
        ("what is this?", (WAV,), "Help", "TranscribeAudio"),
        # A request of its own, or no file: as heard
        ("train xgboost on this file", (PDF,), "StartTraining", "StartTraining"),
        ("what's in this file?", (), "ListDatasets", "ListDatasets"),
        ("what's in this image?", (PDF,), "DetectLabels", "DetectLabels"),
    ],
)
def test_a_question_about_the_attached_file(
    text: str, files: tuple[Attachment, ...], heard: str, meant: str
) -> None:
    understood = _about_the_file(_message(text, *files), Understanding(heard))
    assert understood.intent == meant
