"""A local stand-in for the Slack Web API that records what the bot posts.

It speaks the real wire format (form or JSON bodies, ``Authorization: Bearer``),
so the bot uses the real ``slack_sdk.WebClient`` against it, exactly as in
production. The sandbox chat and the full-stack tests read what it recorded.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0SANDBOX"


@dataclass
class Record:
    """One thing the bot did in Slack."""

    kind: str  # post | update | ephemeral | delete | reaction | unreaction | file
    channel: str
    ts: str
    thread_ts: str | None = None
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # where uploaded files were saved, if anywhere
    alts: list[str] = field(default_factory=list)  # their alt text
    user: str | None = None  # who sees an ephemeral message
    name: str = ""  # reaction name
    metadata: dict[str, Any] | None = None  # Slack message metadata, as posted

    def buttons(self) -> list[dict[str, Any]]:
        """Every button: in actions blocks, and beside a section's text."""
        found = []
        for b in self.blocks:
            if b.get("type") == "actions":
                found += [el for el in b.get("elements", []) if el.get("type") == "button"]
            elif b.get("type") == "section" and (b.get("accessory") or {}).get("type") == "button":
                found.append(b["accessory"])
        return found

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "channel": self.channel,
            "ts": self.ts,
            "thread_ts": self.thread_ts,
            "text": self.text,
            "blocks": self.blocks,
            "files": [
                {"title": t, "path": p, "alt": a}
                for t, p, a in itertools.zip_longest(self.files, self.paths, self.alts)
            ],
        }
        if self.user:
            data["user"] = self.user
        return data


class SlackStandIn:
    """Runs on 127.0.0.1 on a free port; ``url`` is the Web API base URL for WebClient."""

    def __init__(
        self, token: str, *, team_id: str = TEAM_ID, files_dir: Path | None = None
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.files_dir = files_dir  # uploaded files are written here, for a person to open
        self.records: list[Record] = []
        self.messages: dict[tuple[str, str], Record] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._uploads: dict[str, dict[str, Any]] = {}
        self._listeners: list[Callable[[Record], None]] = []
        self._lock = threading.RLock()
        self._counter = 0
        # method -> (HTTP status, headers) answers to give before the real one (tests of retries)
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-stand-in", daemon=True
        )

    @property
    def base(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def url(self) -> str:
        return self.base + "/api/"

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def subscribe(self, listener: Callable[[Record], None]) -> None:
        self._listeners.append(listener)

    def new_ts(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{int(time.time())}.{self._counter:06d}"

    def response_url(self) -> str:
        return f"{self.base}/response/{uuid.uuid4().hex}"

    # ------------------------------------------------------------------ queries

    def posts(self, channel: str | None = None) -> list[Record]:
        with self._lock:
            return [
                r
                for r in self.records
                if r.kind in ("post", "update", "ephemeral")
                and (channel is None or r.channel == channel)
            ]

    def latest_with_button(self, label: str) -> tuple[Record, dict[str, Any]] | None:
        """The latest bot message (as it is now) offering a button with this label."""
        with self._lock:
            for record in reversed(self.records):
                if record.kind not in ("post", "update", "ephemeral"):
                    continue
                current = self.messages.get((record.channel, record.ts), record)
                for button in current.buttons():
                    if (
                        button.get("text", {}).get("text", "").strip().lower()
                        == label.strip().lower()
                    ):
                        return current, button
        return None

    # ------------------------------------------------------------------ methods

    def _emit(self, record: Record) -> None:
        with self._lock:
            self.records.append(record)
            if record.kind in ("post", "file"):
                self.messages[(record.channel, record.ts)] = record
        for listener in list(self._listeners):
            listener(record)

    def call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append((method, args))
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(args)
        return result

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://sandbox.slack.com/",
            "team": "Sandbox",
            "user": "ml-bot",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, kind: str, args: dict[str, Any], ts: str | None = None) -> Record:
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        return Record(
            kind=kind,
            channel=str(args.get("channel", "")),
            ts=ts or self.new_ts(),
            thread_ts=args.get("thread_ts") or None,
            text=str(args.get("text") or ""),
            blocks=_blocks(args.get("blocks")),
            user=args.get("user"),
            metadata=metadata if isinstance(metadata, dict) else None,
        )

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        record = self._message("post", args)
        self._emit(record)
        return {
            "ok": True,
            "channel": record.channel,
            "ts": record.ts,
            "message": {
                "text": record.text,
                "ts": record.ts,
                "bot_id": BOT_ID,
                "user": BOT_USER_ID,
                "blocks": record.blocks,
            },
        }

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel", "")), str(args.get("ts", "")))
        with self._lock:
            existing = self.messages.get(key)
        if existing is None:
            return {"ok": False, "error": "message_not_found"}
        record = self._message("update", args, ts=key[1])
        record.thread_ts = existing.thread_ts
        with self._lock:
            self.messages[key] = Record(
                "post",
                record.channel,
                record.ts,
                record.thread_ts,
                record.text,
                record.blocks,
                existing.files,
                metadata=record.metadata or existing.metadata,
            )
        self._emit(record)
        return {"ok": True, "channel": key[0], "ts": key[1], "text": record.text}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        record = self._message("ephemeral", args)
        self._emit(record)
        return {"ok": True, "message_ts": record.ts}

    def _m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel", "")), str(args.get("ts", "")))
        with self._lock:
            self.messages.pop(key, None)
        self._emit(Record("delete", key[0], key[1]))
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _m_reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        self._emit(
            Record(
                "reaction",
                str(args.get("channel", "")),
                str(args.get("timestamp", "")),
                name=str(args.get("name", "")),
            )
        )
        return {"ok": True}

    def _m_reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        self._emit(
            Record(
                "unreaction",
                str(args.get("channel", "")),
                str(args.get("timestamp", "")),
                name=str(args.get("name", "")),
            )
        )
        return {"ok": True}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        with self._lock:
            self._uploads[file_id] = {
                "name": args.get("filename", "file"),
                "bytes": b"",
                "alt_txt": args.get("alt_txt") or "",
            }
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else (files or [])
        names, paths, alts = [], [], []
        with self._lock:
            for f in files:
                upload = self._uploads.get(f.get("id", ""), {})
                names.append(f.get("title") or upload.get("name", "file"))
                paths.append(self._save(str(upload.get("name", "file")), upload.get("bytes", b"")))
                alts.append(str(f.get("alt_txt") or upload.get("alt_txt") or ""))
        record = Record(
            "file",
            str(args.get("channel_id", "")),
            self.new_ts(),
            thread_ts=args.get("thread_ts") or None,
            text=str(args.get("initial_comment") or ""),
            files=names,
            paths=[p for p in paths if p],
            alts=alts,
        )
        self._emit(record)
        return {
            "ok": True,
            "files": [{"id": f.get("id"), "title": n} for f, n in zip(files, names, strict=False)],
        }

    def _m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        with self._lock:
            found = [
                r
                for (c, _), r in self.messages.items()
                if c == channel and (r.ts == ts or r.thread_ts == ts)
            ]
        return {
            "ok": True,
            "messages": [self._as_message(r) for r in sorted(found, key=lambda r: r.ts)],
            "has_more": False,
        }

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        with self._lock:
            found = [r for (c, _), r in self.messages.items() if c == channel and not r.thread_ts]
        return {
            "ok": True,
            "messages": [
                self._as_message(r) for r in sorted(found, key=lambda r: r.ts, reverse=True)
            ],
            "has_more": False,
        }

    @staticmethod
    def _as_message(record: Record) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": record.ts,
            "text": record.text,
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
        }
        if record.thread_ts:
            message["thread_ts"] = record.thread_ts
        if record.metadata:
            message["metadata"] = record.metadata
        return message

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": args.get("channel"), "is_member": True}}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "user": {"id": args.get("user"), "name": args.get("user"), "is_bot": False},
        }

    def response(self, payload: dict[str, Any]) -> None:
        kind = "ephemeral" if payload.get("response_type", "ephemeral") == "ephemeral" else "post"
        record = Record(
            kind,
            payload.get("channel", "response_url"),
            self.new_ts(),
            text=str(payload.get("text") or ""),
            blocks=_blocks(payload.get("blocks")),
        )
        self._emit(record)

    def _save(self, name: str, data: bytes) -> str:
        """Write an uploaded file to files_dir (a safe, unique name); its path, or ''."""
        if self.files_dir is None:
            return ""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"
        self._counter += 1
        path = self.files_dir / f"{self._counter:04d}-{safe[:80]}"
        path.write_bytes(data)
        return str(path)

    def upload(self, file_id: str, data: bytes) -> None:
        with self._lock:
            if file_id in self._uploads:
                self._uploads[file_id]["bytes"] = data

    # ------------------------------------------------------------------ HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the sandbox prints what matters

            def _reply(self, status: int, body: dict[str, Any] | str) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.startswith("/upload/"):
                    stand_in.upload(self.path.rsplit("/", 1)[-1], raw)
                    self._reply(200, "OK")
                    return
                if self.path.startswith("/response/"):
                    stand_in.response(json.loads(raw or b"{}"))
                    self._reply(200, "ok")
                    return
                if not self.path.startswith("/api/"):
                    self._reply(404, {"ok": False, "error": "not_found"})
                    return
                method = self.path[len("/api/") :].split("?")[0]
                with stand_in._lock:
                    queued = stand_in.failures.get(method)
                    failure = queued.pop(0) if queued else None
                if failure is not None:
                    status, headers = failure
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    body = json.dumps(
                        {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
                    ).encode()
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                auth = self.headers.get("Authorization", "")
                args = _parse(raw, self.headers.get("Content-Type", ""))
                token = auth.removeprefix("Bearer ").strip() or str(args.get("token", ""))
                if token != stand_in.token:
                    self._reply(200, {"ok": False, "error": "invalid_auth"})
                    return
                self._reply(200, stand_in.call(self.path[len("/api/") :].split("?")[0], args))

            do_GET = do_POST

        return Handler


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
    return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []
