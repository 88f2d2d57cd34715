"""Files to attach in the sandbox (``!attach demo:storefront.png``), made here and small, and
the offline stand-ins for Amazon Polly and Amazon Translate.

The sandbox's Rekognition and Transcribe stand-ins (``moto_ext``) know these files; the
Polly and Translate stand-ins say what they are: a tone, not speech; the text echoed and
marked, not translated.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from typing import Any


def _png(width: int, height: int, rows: list[list[tuple[int, int, int]]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _storefront() -> bytes:
    """A 32 × 24 picture: sky, a shop front with a sign and a door (for its colours only)."""
    rows = []
    for y in range(24):
        row = []
        for x in range(32):
            if y < 6:
                row.append((135, 190, 235))  # sky
            elif y < 9:
                row.append((200, 40, 40) if 4 <= x < 28 else (90, 90, 90))  # the sign
            elif 12 <= x < 18 and y >= 12:
                row.append((60, 40, 30))  # the door
            else:
                row.append((230, 220, 200))  # the wall
        rows.append(row)
    return _png(32, 24, rows)


def tone(seconds: float = 0.6, hertz: float = 440.0, rate: int = 8000) -> bytes:
    """A short sine tone as a 16-bit mono WAV file."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hertz * i / rate)))
        for i in range(int(seconds * rate))
    )
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(frames)) + frames


REPORT_PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
)
STOREFRONT_PNG = _storefront()
# name -> (content, Slack's mimetype)
FILES: dict[str, tuple[bytes, str]] = {
    "storefront.png": (STOREFRONT_PNG, "image/png"),
    "standup.wav": (tone(0.8, 440.0), "audio/wav"),
    "all-hands.wav": (tone(1.2, 523.0), "audio/wav"),
    "report.pdf": (REPORT_PDF, "application/pdf"),
}


class LocalPolly:
    """Amazon Polly's SynthesizeSpeech, offline: a short tone as a WAV file, not speech."""

    def synthesize_speech(self, **params: Any) -> dict[str, Any]:
        text = str(params.get("Text", ""))
        return {
            "AudioStream": io.BytesIO(tone(0.4 + min(len(text), 200) / 200)),
            "ContentType": "audio/wav",
            "RequestCharacters": len(text),
        }


class LocalTranslate:
    """Amazon Translate's TranslateText, offline: the text echoed back, marked as such."""

    def translate_text(self, **params: Any) -> dict[str, Any]:
        target = str(params.get("TargetLanguageCode", "?"))
        return {
            "TranslatedText": f"[{target}, offline stand-in, not translated] {params.get('Text', '')}",
            "SourceLanguageCode": "en",
            "TargetLanguageCode": target,
        }
