"""The sandbox's terminal chat and script mode (one engine for both).

Turns, one a line:

* plain text: a message in the sandbox's bot channel (#ml-ops);
* ``/ml ...``: the slash command;
* ``!click LABEL``: click the button with that label on the latest bot message that offered
  it (if that card was decided since, it says so and clicks nothing);
* ``!as NAME``: speak as another user from then on (alice, bob, carol, or their ids);
* ``!wait SECONDS``: let background work and status changes run;
* ``!dm TEXT``: a direct message to the bot; ``!reply TEXT``: a reply in the latest thread;
* ``!home``: open the app's Home tab (your pending cards, what the bot follows, schedules);
* ``!attach PATH [text]``: upload a file with a message, as in Slack (``demo:storefront.png``,
  ``demo:standup.wav``, ``demo:all-hands.wav``, ``demo:report.pdf`` are made by the sandbox);
* ``# ...``: a comment.

In any line, ``$LAST_JOB`` and ``$LAST_ENDPOINT`` stand for the names the bot last generated
for a job (training, Autopilot, batch transform) and for an endpoint (a deployment), so a
script can train, deploy, invoke and delete without knowing the names in advance.
"""

from __future__ import annotations

import json
import mimetypes
import re
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox import CHANNEL, CHANNEL_NAME, DEFAULT_USER, USERS, Sandbox, demo
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
Sandbox commands: !click LABEL · !as bob · !wait 10 · !dm TEXT · !reply TEXT · !home · !quit
  !attach demo:storefront.png (or any PATH) [text]: a file with your message, as in Slack
$LAST_JOB and $LAST_ENDPOINT stand for the names the bot last generated."""
# $NAME -> (plan parameter, the intents whose plans name one)
VARIABLES = {
    "LAST_JOB": ("job_name", ("StartTraining", "StartAutopilot", "StartTransform")),
    "LAST_ENDPOINT": ("endpoint", ("DeployModel",)),
}
_VARIABLE = re.compile(r"\$(" + "|".join(VARIABLES) + r")\b")


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


def _asking(mimetype: str) -> str:
    """What a person attaching a file of this kind without a word most likely wants."""
    if mimetype.startswith("image/"):
        return "what's in this image?"
    if mimetype.startswith(("audio/", "video/")):
        return "transcribe this recording"
    return "what's in this file?"


def _user(who: str) -> str | None:
    """'bob', '@bob', 'Bob' or 'U0BOB' -> 'U0BOB'; None for anything else."""
    name = who.strip().lstrip("@").lower()
    for user, known in USERS.items():
        if name in (known, user.lower()):
            return user
    ident = who.strip().upper()
    return ident if re.fullmatch(r"U[A-Z0-9]{2,20}", ident) else None


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
        if record.kind not in ("post", "update", "ephemeral", "file", "home"):
            return
        if record.kind == "post":
            self.last_thread = record.thread_ts or record.ts
        if self.as_json:
            self._write(json.dumps(record.as_json(), ensure_ascii=False))
            return
        where = f"thread {record.thread_ts}" if record.thread_ts else f"#{CHANNEL_NAME}"
        if record.kind == "home":
            where = f"Home tab of @{USERS.get(record.user or '', record.user)}"
        label = {
            "home": "ml-bot",
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
        if stripped == "!as" or stripped.startswith("!as "):
            user = _user(stripped[3:].strip())
            if user is None:
                names = ", ".join(sorted(USERS.values()))
                self.note(f"! not a user: {stripped[3:].strip()!r} (try {names}, or an id)")
                return True
            self.user = user
            self.note(f"(now speaking as @{USERS.get(user, user)})")
            return True
        expanded = self.expand(stripped)
        if expanded is None:
            return True
        stripped = expanded
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
            response, record = driver.click(self.user, label)
            if response is None and record is not None:
                where = format_record(record)
                self.note(
                    f"! the latest card offering [{label}] was already decided; nothing clicked"
                    + (f" ({where[-1].strip(' ·')})" if where else "")
                )
            elif response is None:
                self.note(f"! no bot message offers a button labelled {label!r}")
            driver.settle()
            return True
        if stripped == "!home":
            driver.open_home(self.user)
            driver.settle()
            return True
        if stripped == "!attach" or stripped.startswith("!attach "):
            return self._attach(stripped[7:].strip())
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

    def _attach(self, rest: str) -> bool:
        """!attach PATH [text]: upload a file through the Slack stand-in and send it with the
        text (by default, what one asks of that kind of file)."""
        driver, slack = self.sandbox.driver, self.sandbox.slack
        assert driver is not None and slack is not None
        path, _, text = rest.partition(" ")
        if not path:
            self.note("! usage: !attach PATH [text]  (or demo:" + "|".join(demo.FILES) + ")")
            return True
        if path.startswith("demo:"):
            if path[5:] not in demo.FILES:
                self.note(f"! no demo file {path[5:]!r}; there are " + ", ".join(demo.FILES))
                return True
            data, mimetype = demo.FILES[path[5:]]
            name = path[5:]
        else:
            try:
                data = Path(path).expanduser().read_bytes()
            except OSError as exc:
                self.note(f"! cannot read {path}: {exc.strerror}")
                return True
            name = Path(path).name
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        text = text.strip() or _asking(mimetype)
        if self.echo:
            self.note(f"{USERS.get(self.user, self.user)}> 📎 {name} ({len(data):,} bytes) {text}")
        file = slack.user_file(self.user, name, data, mimetype)
        driver.message(self.user, text, channel=CHANNEL, files=[file])
        driver.settle()
        return True

    def expand(self, line: str) -> str | None:
        """The line with $LAST_JOB / $LAST_ENDPOINT replaced by the names the bot last
        generated; None (and a note) when one of them names nothing yet."""
        missing: list[str] = []

        def value(match: re.Match[str]) -> str:
            found = self.last_name(match.group(1))
            if found is None:
                missing.append(match.group(0))
                return match.group(0)
            return found

        expanded = _VARIABLE.sub(value, line)
        if missing:
            self.note(f"! {missing[0]} names nothing yet; no turn played")
            return None
        return expanded

    def last_name(self, variable: str) -> str | None:
        """The name in the newest plan (a card, approved or not) that generated one."""
        key, intents = VARIABLES[variable]
        state = self.sandbox.chatops.state
        for plan in state.recent_plans(limit=100):
            if plan.intent in intents and plan.state not in ("cancelled", "expired"):
                name = plan.params.get(key)
                if isinstance(name, str) and name:
                    return name
        return None

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
