"""HTTP mode's ack process: Slack gets its answer from a small process of its own.

``chatops run`` starts it once the bot is built, with one end of a socket pair. It
imports no Bolt and runs none of the bot's work: waitress checks the signature, answers
Slack, and writes the request to the socket; the bot reads it there and dispatches it
through its Bolt app, whose listeners hand it to the work queue or say "busy". A
computation in one of the bot's threads holds Python's interpreter lock for as long as
it runs (a C call cannot even be interrupted): the acks have an interpreter of their own.

Frames are JSON objects (multiprocessing.connection's framing):

* bot -> acks: ``{"k": "hello", "secret", "log_level", "log_format"}``, once, first;
  ``{"k": "health", "id", "ok", "detail"}``, the bot's answer to a health check;
* acks -> bot: ``{"k": "request", "body", "headers"}``; ``{"k": "health", "id"}``.

The ack process exits when the bot's end closes; the bot stops serving when the ack
process exits. To stop, the bot sends the ack process SIGTERM: it answers new requests with
503 (Slack sends them again), hands over everything it acknowledged, and closes its end; the
bot dispatches all of it before it returns.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from waitress.wasyncore import ExitNow

from bot.slack.http import Headers, Health, forwarding_app

if TYPE_CHECKING:
    from slack_bolt import App

log = logging.getLogger(__name__)
BACKLOG = 2000  # acknowledged requests the bot has not read yet; beyond that, Slack gets a 503
HEALTH_TIMEOUT = 2.0  # seconds the bot has to answer a health check
FLUSH_SECONDS = 5.0  # when stopping, time to hand what was acknowledged over to the bot
WARN_EVERY = 10.0


class AckProcessError(RuntimeError):
    """The ack process could not start or stopped on its own."""


# --------------------------------------------------------------------------- the ack process


class _Link:
    """The ack process's end of the socket: a bounded outbox that one thread writes, and
    the bot's answers to health checks, that another thread reads."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.out: queue.Queue[tuple[str, Any]] = queue.Queue(BACKLOG)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._checks: dict[int, tuple[threading.Event, list[tuple[bool, str]]]] = {}
        self._refused, self._warned_at = 0, -WARN_EVERY
        self.closing = False

    def forward(self, body: str, headers: Headers) -> bool:
        if self.closing:  # stopping: Slack gets a 503 and sends it again (to a replica, or later)
            return False
        try:
            self.out.put_nowait(("request", (body, headers)))
        except queue.Full:
            self._refuse()
            return False
        return True

    def _refuse(self) -> None:
        with self._lock:
            self._refused += 1
            now = time.monotonic()
            if now - self._warned_at < WARN_EVERY:
                return
            count, self._refused, self._warned_at = self._refused, 0, now
        log.warning("the bot is not reading requests; answered %d with 503 so Slack retries", count)

    def health(self) -> tuple[bool, str]:
        check_id = next(self._ids)
        done, answer = threading.Event(), list[tuple[bool, str]]()
        with self._lock:
            self._checks[check_id] = (done, answer)
        try:
            try:
                self.out.put_nowait(("health", check_id))
            except queue.Full:
                return False, "the bot is not keeping up with Slack's requests"
            if not done.wait(HEALTH_TIMEOUT):
                return False, "the bot did not answer a health check"
            return answer[0]
        finally:
            with self._lock:
                self._checks.pop(check_id, None)

    def send_forever(self) -> None:
        while True:
            kind, item = self.out.get()
            if kind == "request":
                body, headers = item
                frame = {"k": "request", "body": body, "headers": headers}
            else:
                frame = {"k": "health", "id": item}
            try:
                self.conn.send_bytes(json.dumps(frame).encode())
            except OSError:
                self._bot_gone(1 if kind == "request" else 0)
            self.out.task_done()

    def flush(self, timeout: float) -> int:
        """Take no more requests and hand over what was taken (within *timeout*); returns how
        many acknowledged requests could not be handed over."""
        self.closing = True
        deadline = time.monotonic() + timeout
        while self.out.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return sum(1 for kind, _ in list(self.out.queue) if kind == "request")

    def _bot_gone(self, sending: int = 0) -> NoReturn:
        """The bot stopped: so do we, saying what it had not read (acknowledged to Slack,
        so Slack will not send it again)."""
        unread = sending + sum(1 for kind, _ in list(self.out.queue) if kind == "request")
        if unread:
            log.error("the bot stopped with %d acknowledged request(s) it had not read", unread)
        logging.shutdown()
        os._exit(0)

    def read_forever(self) -> None:
        while True:
            try:
                frame = json.loads(self.conn.recv_bytes())
            except (EOFError, OSError):
                self._bot_gone()
            if frame.get("k") == "health":
                with self._lock:
                    waiting = self._checks.get(frame.get("id"))
                if waiting is not None:
                    waiting[1].append((bool(frame.get("ok")), str(frame.get("detail", ""))))
                    waiting[0].set()


def main(argv: list[str] | None = None) -> int:
    """The ack process: ``--fd`` is its end of the socket pair the bot made."""
    parser = argparse.ArgumentParser(prog="chatops-acks")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group: the bot stops, and stops us with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_serving)
    conn = Connection(args.fd)
    try:
        hello = json.loads(conn.recv_bytes())
    except (EOFError, OSError):
        return 1
    from bot.logs import setup_logging

    setup_logging(hello.get("log_level", "INFO"), hello.get("log_format", "text"))
    link = _Link(conn)
    threading.Thread(target=link.send_forever, name="to-bot", daemon=True).start()
    threading.Thread(target=link.read_forever, name="from-bot", daemon=True).start()
    from waitress import serve

    try:
        serve(
            forwarding_app(link.forward, str(hello["secret"]), health=link.health),
            host="0.0.0.0",
            port=args.port,
            threads=args.threads,
            ident="chatops",
        )
    except OSError as exc:  # the port is taken, or not ours to bind
        log.error("cannot listen on port %d: %s", args.port, exc.strerror or exc)
        return 2
    except _Stop:
        # The bot is stopping: it reads until our end closes, so hand over everything taken.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        lost = link.flush(FLUSH_SECONDS)
        if lost:
            log.error("stopping with %d acknowledged request(s) not handed over", lost)
        conn.close()
    return 0


class _Stop(ExitNow):
    """SIGTERM: the bot asks the ack process to stop. Waitress's loop logs and swallows
    any other Exception raised while it handles a connection (and would go on serving),
    and ends quietly on SystemExit; it lets ExitNow through to us."""


def _stop_serving(signum: int, frame: object) -> None:
    raise _Stop()


# --------------------------------------------------------------------------- the bot's side


def _lower_priority(by: int) -> None:
    """Lower this process's CPU priority (the ack process, started before, keeps its own):
    when the CPUs are busy, the scheduler runs the acks before the bot's work. On Linux a
    nice value belongs to each thread, so every thread there is now is lowered; threads
    started later inherit it from the one starting them."""
    try:
        threads = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]
    for tid in threads:
        try:
            now = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(19, now + by))
        except OSError as exc:  # a thread that has just ended, or not allowed
            log.debug("could not lower the priority of thread %d: %s", tid, exc)


class AckProcess:
    """Starts the ack process and feeds what it forwards to *app*, until it exits."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        port: int,
        *,
        threads: int = 8,
        health: Health | None = None,
        work_nice: int = 0,
        log_level: str = "INFO",
        log_format: str = "text",
    ) -> None:
        self.app, self.port, self.threads = app, port, threads
        self.work_nice = work_nice
        self._hello = {
            "k": "hello",
            "secret": signing_secret,
            "log_level": log_level,
            "log_format": log_format,
        }
        self._health = health
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = False

    def serve(self) -> None:
        """Run the ack process and dispatch its requests here; returns when it exits
        (raising AckProcessError when it failed), and stops it when this is interrupted."""
        ours, theirs = socket.socketpair()
        with ours, theirs:
            # The same code as this process, wherever it was imported from.
            root = str(Path(__file__).resolve().parents[2])
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    f"import sys; sys.path.insert(0, {root!r}); "
                    "from bot.slack.acks import main; sys.exit(main())",
                    f"--port={self.port}",
                    f"--threads={self.threads}",
                    f"--fd={theirs.fileno()}",
                ],
                pass_fds=(theirs.fileno(),),
            )
            conn = Connection(os.dup(ours.fileno()))
        if self.work_nice:
            _lower_priority(self.work_nice)
        try:
            conn.send_bytes(json.dumps(self._hello).encode())
            try:
                self._dispatch(conn)
            except BaseException:  # Ctrl-C or SIGTERM: what Slack was told we took, we take
                self._stopping = True
                self._ask_to_stop()
                self._dispatch(conn, until=time.monotonic() + FLUSH_SECONDS + 1)
                raise
        finally:
            conn.close()
            self._stop()
        if self.process.returncode and not self._stopping:
            raise AckProcessError(
                f"the process answering Slack on port {self.port} exited with "
                f"{self.process.returncode}"
            )

    def _dispatch(self, conn: Connection, *, until: float | None = None) -> None:
        """Dispatch what the ack process forwards until it closes its end (or *until*)."""
        from bot.slack.bolt import handle

        while True:
            try:
                if until is not None and not conn.poll(max(0.0, until - time.monotonic())):
                    return
                frame = json.loads(conn.recv_bytes())
            except (EOFError, OSError):
                return  # the ack process exited
            if frame.get("k") == "health":
                ok, detail = self._health() if self._health else (True, "ok")
                reply = {"k": "health", "id": frame.get("id"), "ok": ok, "detail": detail}
                conn.send_bytes(json.dumps(reply).encode())
                continue
            try:
                handle(self.app, str(frame.get("body", "")), dict(frame.get("headers") or {}))
            except Exception:  # handle() answers what Bolt cannot read; this is a last resort
                log.exception("could not dispatch a forwarded Slack request")

    def stop(self) -> None:
        """Stop the ack process (from another thread): it takes no more requests and hands
        over what it took, which :meth:`serve` dispatches before it returns."""
        self._stopping = True
        self._ask_to_stop()

    def _ask_to_stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()

    def _stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
