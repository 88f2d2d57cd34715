"""The sandbox's terminal chat and script mode (one engine for both).

Turns, one a line:

* plain text: a message in the sandbox's bot channel (#ml-ops);
* ``/ml ...``: the slash command;
* ``!click LABEL``: click the button with that label on the latest bot message offering it;
* ``!as USER_ID``: speak as another user from then on (U0ALICE, U0BOB, U0CAROL);
* ``!wait SECONDS``: let background work and status changes run;
* ``!dm TEXT``: a direct message to the bot; ``!reply TEXT``: a reply in the latest thread;
* ``# ...``: a comment.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any, TextIO

from bot.sandbox import CHANNEL, CHANNEL_NAME, DEFAULT_USER, USERS, Sandbox
from bot.sandbox.slack_api import BOT_USER_ID, Record

EMOJI = {
    ":red_circle:": "🔴",
    ":large_orange_circle:": "🟠",
    ":large_blue_circle:": "🔵",
    ":white_circle:": "⚪",
    ":large_green_circle:": "🟢",
    ":white_check_mark:": "✅",
    ":x:": "❌",
    ":warning:": "⚠️",
    ":hourglass_flowing_sand:": "⏳",
    ":hourglass:": "⌛",
    ":no_entry_sign:": "🚫",
    ":no_entry:": "⛔",
    ":lock:": "🔒",
    ":double_vertical_bar:": "⏸",
    ":black_square_for_stop:": "⏹",
    ":moneybag:": "💰",
    ":chart_with_upwards_trend:": "📈",
    ":rocket:": "🚀",
    ":bell:": "🔔",
    ":wastebasket:": "🗑️",
    ":slightly_smiling_face:": "🙂",
    ":slightly_frowning_face:": "🙁",
    ":neutral_face:": "😐",
    ":thinking_face:": "🤔",
    ":speaker:": "🔈",
    ":studio_microphone:": "🎙️",
    ":notebook:": "📓",
    ":computer:": "💻",
    ":sparkles:": "✨",
    ":calendar:": "📅",
    ":no_bell:": "🔕",
}
HELP = """Type as a Slack user in #ml-ops. Try:
  are my endpoints healthy          how is training going
  train xgboost on s3://acme-ml-data/churn/train.csv
  /ml help                          /ml jobs
Sandbox commands: !click LABEL · !as U0BOB · !wait 10 · !dm TEXT · !reply TEXT · !quit"""


def _plain(text: str) -> str:
    for code, emoji in EMOJI.items():
        text = text.replace(code, emoji)
    text = re.sub(
        r"<@(U[A-Z0-9]+)>",
        lambda m: (
            "@" + USERS.get(m.group(1), "ml-bot" if m.group(1) == BOT_USER_ID else m.group(1))
        ),
        text,
    )
    text = re.sub(r"<#(C[A-Z0-9]+)(\|[^>]*)?>", "#" + CHANNEL_NAME, text)
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("\u2060", "")
    )


def format_record(record: Record) -> list[str]:
    """A bot post as readable lines: sections, fields, buttons as [Approve], files by name."""
    out: list[str] = []
    for block in record.blocks:
        kind = block.get("type")
        if kind == "header":
            out.append("▌" + _plain(block["text"]["text"]).upper())
        elif kind == "section":
            if block.get("text"):
                out.extend(_plain(block["text"]["text"]).splitlines())
            for f in block.get("fields") or []:
                label, _, value = _plain(f["text"]).partition("\n")
                out.append(f"  {label.strip('*')}: {value.replace(chr(10), '; ')}")
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                out.append(f"    [{accessory['text']['text']}]")
        elif kind == "context":
            out.append(
                "  · " + " ".join(_plain(e.get("text", "")) for e in block.get("elements", []))
            )
        elif kind == "divider":
            out.append("  ────")
        elif kind == "actions":
            out.append("  " + " ".join(f"[{b['text']['text']}]" for b in block.get("elements", [])))
    if not out and record.text:
        out = _plain(record.text).splitlines()
    paths = record.paths + [""] * (len(record.files) - len(record.paths))
    out += [
        f"📎 {name}" + (f" → {path}" if path else "")
        for name, path in zip(record.files, paths, strict=False)
    ]
    return out


def _line_buffer() -> str:
    try:
        import readline

        return readline.get_line_buffer()
    except ImportError:
        return ""


class Console:
    def __init__(
        self,
        sandbox: Sandbox,
        *,
        out: TextIO | None = None,
        as_json: bool = False,
        echo: bool = True,
    ) -> None:
        self.sandbox = sandbox
        self.out = out or sys.stdout
        self.as_json = as_json
        self.echo = echo
        self.user = DEFAULT_USER
        self.last_thread: str | None = None
        self._lock = threading.Lock()
        self._prompt: str | None = None  # shown while waiting for input (interactive mode)
        assert sandbox.slack is not None
        sandbox.slack.subscribe(self._show)

    # ------------------------------------------------------------------ output

    def _write(self, text: str) -> None:
        with self._lock:
            if self._prompt is None:
                self.out.write(text + "\n")
            else:
                # A post arrived while the user is typing: print it above, then redraw the prompt.
                typed = _line_buffer()
                self.out.write("\r\x1b[K" + text + "\n" + self._prompt + typed)
            self.out.flush()

    def _show(self, record: Record) -> None:
        if record.kind not in ("post", "update", "ephemeral", "file"):
            return
        if record.kind == "post":
            self.last_thread = record.thread_ts or record.ts
        if self.as_json:
            self._write(json.dumps(record.as_json(), ensure_ascii=False))
            return
        where = f"thread {record.thread_ts}" if record.thread_ts else f"#{CHANNEL_NAME}"
        label = {
            "post": "ml-bot",
            "update": "ml-bot (updated)",
            "file": "ml-bot (file)",
            "ephemeral": f"ml-bot (only @{USERS.get(record.user or '', record.user)} sees this)",
        }[record.kind]
        lines = format_record(record)
        self._write(
            f"  ┌ {label} · {where}\n" + "\n".join(f"  │ {line}" for line in lines) + "\n  └"
        )

    def note(self, text: str) -> None:
        if not self.as_json:
            self._write(text)

    # ------------------------------------------------------------------ input

    def turn(self, line: str) -> bool:
        """Play one line; False means stop."""
        driver = self.sandbox.driver
        assert driver is not None
        line = line.rstrip("\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return True
        name = USERS.get(self.user, self.user)
        if stripped in ("!quit", "!exit"):
            return False
        if stripped == "!help":
            self.note(HELP)
            return True
        if stripped.startswith("!as"):
            user = stripped[3:].strip().upper()
            if not re.fullmatch(r"U[A-Z0-9]{2,20}", user):
                self.note(f"! not a user id: {user!r} (try U0BOB)")
                return True
            self.user = user
            self.note(f"(now speaking as @{USERS.get(user, user)})")
            return True
        if stripped.startswith("!wait"):
            try:
                seconds = float(stripped[5:].strip() or "5")
            except ValueError:
                self.note("! usage: !wait SECONDS")
                return True
            self.note(f"(waiting {seconds:g} s)")
            time.sleep(max(0.0, min(seconds, 3600)))
            driver.settle()
            return True
        if stripped.startswith("!click"):
            label = stripped[6:].strip()
            if self.echo:
                self.note(f"{name} clicks [{label}]")
            response, _record = driver.click(self.user, label)
            if response is None:
                self.note(f"! no bot message offers a button labelled {label!r}")
            driver.settle()
            return True
        if stripped.startswith("!dm "):
            text = stripped[4:]
            if self.echo:
                self.note(f"{name} (DM)> {text}")
            driver.message(self.user, text, channel="D" + self.user[1:], channel_type="im")
            driver.settle()
            return True
        if stripped.startswith("!reply "):
            text = stripped[7:]
            if self.echo:
                self.note(f"{name} (in thread)> {text}")
            driver.message(self.user, text, thread_ts=self.last_thread)
            driver.settle()
            return True
        if stripped.startswith("!"):
            self.note(f"! unknown sandbox command {stripped.split()[0]!r}; !help lists them")
            return True
        if self.echo:
            self.note(f"{name}> {stripped}")
        if stripped.startswith("/ml"):
            driver.command(self.user, stripped[3:].strip())
        else:
            driver.message(
                self.user, stripped.replace("@ml-bot", f"<@{BOT_USER_ID}>"), channel=CHANNEL
            )
        driver.settle()
        return True

    def run(self, lines: Iterable[str]) -> int:
        for line in lines:
            if not self.turn(line):
                break
        driver = self.sandbox.driver
        assert driver is not None  # as in turn(): the console plays into a started sandbox
        driver.settle()
        return 0

    def interactive(self, stdin: Any = None) -> int:
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:
            pass
        self.echo = False
        self.note(HELP)
        while True:
            prompt = f"{USERS.get(self.user, self.user)}> "
            try:
                with self._lock:
                    self._prompt = prompt
                line = input(prompt)
            except (EOFError, KeyboardInterrupt):
                self._prompt = None
                self.note("")
                return 0
            with self._lock:
                self._prompt = None
            if not self.turn(line):
                return 0
