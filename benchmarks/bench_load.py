"""Acks under load: ``chatops run`` and a bare Bolt app, side by side (prints figures; asserts nothing).

    python benchmarks/bench_load.py [--rates 50,100,200] [--duration 10] [--texts help,endpoints]
                                    [--only chatops|bare] [--env CHATOPS_WORKERS=4 ...]

Everything is on loopback. This process holds the Slack stand-in
(bot/sandbox/slack_api.py) that counts the posts; the sandbox's seeded moto server
runs in a process of its own (benchmarks/aws_sandbox.py); each run starts a fresh
server process: ``chatops run`` in HTTP mode, or the bare Bolt app of
benchmarks/bare_bolt.py on the same HTTP server (waitress, same threads) answering
each message with one ``chat.postMessage``. A load process sends Events API message
events in the bot's channel, signed as Slack signs them (``x-slack-signature``, v0
HMAC-SHA256 over ``v0:{timestamp}:{body}``), at a fixed rate for a fixed time,
open-loop: requests leave on schedule whatever the server does, so a slow server
shows as latency, never as a lower rate.

Per text and rate, for each server:

* ack p50 / p99 / max: from sending a request to reading its HTTP response (Slack
  gives up after 3 s and counts a failure; ``>3s`` counts those);
* answered/s: answers reaching the stand-in while requests were being sent, per
  second; ``answered`` all answers within the grace period after the last request,
  ``busy`` how many of them were the "I'm busy" answer, ``silent`` requests with
  neither an answer nor an error by then;
* answer p50: from sending a request to its answer reaching the stand-in;
* errors: responses other than 200, and connections that failed or timed out (10 s);
* RSS: peak resident memory of the server (with any processes it started) during the run.

Before the runs it prints what an idle ``chatops run`` costs: start to ready (from
starting the process to /healthz answering) and resident memory once ready.
Then, for the two targets of issue 9, the ratio of ack p99 to the bare app's.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHANNEL = "C0MLOPS"
TEAM = "T0BENCH"
USERS = ("U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0ERIN")
TEXTS = {"help": "help", "endpoints": "are my endpoints healthy"}
SLACK_LIMIT_S = 3.0
TIMEOUT_S = 10.0
BUSY_WORDS = "I'm busy"
WARM_UP = 3


# --------------------------------------------------------------------------- the load process


def fire(
    port: int, secret: str, text: str, rate: float, duration: float, first: int
) -> list[tuple[str, float, float | None, str]]:
    """Send ``rate * duration`` signed message events, open-loop; per request:
    (message ts, sent at (epoch s), ack seconds or None, HTTP status or error name)."""
    return asyncio.run(_fire(port, secret, text, rate, duration, first))


async def _fire(
    port: int, secret: str, text: str, rate: float, duration: float, first: int
) -> list[tuple[str, float, float | None, str]]:
    count = int(rate * duration)
    second = int(time.time())
    out: list[tuple[str, float, float | None, str]] = [("", 0.0, None, "")] * count
    key = secret.encode()

    def request(text: str, ts: str, user: str) -> bytes:
        event = {
            "type": "message",
            "channel": CHANNEL,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": TEAM,
        }
        body = json.dumps(
            {
                "token": "bench-verification-token",
                "team_id": TEAM,
                "api_app_id": "A0BENCH",
                "event": event,
                "type": "event_callback",
                "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
            }
        ).encode()
        stamp = str(int(time.time()))
        digest = hmac.new(key, b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: v0={digest}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        return head + body

    async def one(i: int) -> None:
        delay = start + i / rate - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        ts = f"{second}.{first + i:06d}"
        data = request(text, ts, USERS[i % len(USERS)])
        sent = time.time()
        try:
            status = await asyncio.wait_for(_post(port, data), TIMEOUT_S)
        except Exception as exc:  # refused, reset or timed out: an error, with its kind
            out[i] = (ts, sent, None, type(exc).__name__)
            return
        out[i] = (ts, sent, time.time() - sent, status)

    # A warm server: what its first requests import or connect is not the figure. A few
    # "help"s, one after the other, and half a second for their answers, before the clock.
    for n in range(WARM_UP):
        await _post(port, request("help", f"{second - 1}.{first + n:06d}", USERS[0]))
    start = time.time() + 0.5
    await asyncio.gather(*(one(i) for i in range(count)))
    return out


async def _post(port: int, request: bytes) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    line = response.split(b"\r\n", 1)[0].split()
    return line[1].decode() if len(line) > 1 else "empty"


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def family(pid: int) -> set[int]:
    """*pid* and every process it started (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    members, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in members:
                members.add(child)
                frontier.append(child)
    return members


def tree_rss_mb(pid: int) -> float:
    """Resident memory of *pid* and every process it started, in MB."""
    total = 0
    for member in family(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by *pid* and the processes it started."""
    ticks = 0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    ready_s: float
    idle_rss_mb: float
    peak_rss_mb: float = 0.0
    cpu_at_start: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def watch(self) -> None:
        """Sample resident memory until :meth:`stop`; note the CPU used so far."""

        def sample() -> None:
            while not self._stop.wait(0.25):
                self.peak_rss_mb = max(self.peak_rss_mb, tree_rss_mb(self.process.pid))

        self.peak_rss_mb = tree_rss_mb(self.process.pid)
        self.cpu_at_start = tree_cpu_s(self.process.pid)
        threading.Thread(target=sample, daemon=True).start()

    def cpu_since_watch(self) -> float:
        return tree_cpu_s(self.process.pid) - self.cpu_at_start

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def server(kind: str, env: dict[str, str], workdir: Path) -> Iterator[Server]:
    port = _free_port()
    env = dict(env, CHATOPS_PORT=str(port))
    if kind != "bare":
        script = Path(sys.executable).with_name("chatops")
        command = (
            [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot.cli", "run"]
        )
    else:
        command = [sys.executable, str(ROOT / "benchmarks" / "bare_bolt.py")]
    log = (workdir / f"{kind}.log").open("ab")
    started = time.perf_counter()
    # In its own folder: no .env of a developer's is read, the state file starts empty.
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/healthz"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} exited with {process.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.perf_counter() - started > 60:
            process.kill()
            raise RuntimeError(f"{kind} was not ready within 60 s")
        time.sleep(0.005)
    ready = time.perf_counter() - started
    time.sleep(0.5)  # let start-up work (a first sync, threads) settle before reading memory
    running = Server(process, port, ready, tree_rss_mb(process.pid))
    try:
        yield running
    finally:
        running.stop()
        log.close()


# --------------------------------------------------------------------------- one run


@dataclass
class Figures:
    sent: int
    acks: list[float]
    errors: int
    answered_per_s: float
    answered: int
    busy: int
    silent: int
    answer_s: list[float]
    rss_mb: float
    cpu: float  # cores the server kept busy, on average, while the requests were sent
    load: float  # the machine's 1-minute load average after the run (other work shows here)

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def row(self) -> str:
        acks, answers = self.acks, self.answer_s
        late = sum(1 for a in acks if a > SLACK_LIMIT_S)
        return (
            f"{self.pct(acks, 0.5) * 1000:8.1f} {self.pct(acks, 0.99) * 1000:8.1f} "
            f"{(max(acks) if acks else float('nan')) * 1000:8.0f} {late:5d} {self.errors:6d} "
            f"{self.answered_per_s:10.1f} {self.answered:8d} {self.busy:6d} {self.silent:6d} "
            f"{(statistics.median(answers) if answers else float('nan')) * 1000:9.0f} "
            f"{self.rss_mb:7.0f} {self.cpu:5.2f} {self.load:5.1f}"
        )


HEADER = (
    f"{'rate':>5} {'text':<10} {'server':<8} {'ack p50':>8} {'ack p99':>8} {'max':>8} "
    f"{'>3s':>5} {'errors':>6} {'answered/s':>10} {'answered':>8} {'busy':>6} {'silent':>6} "
    f"{'answer p50':>9} {'RSS MB':>7} {'CPU':>5} {'load':>5}"
)


class Answers:
    """What reaches the Slack stand-in, with when it arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[float, Any]] = []

    def __call__(self, record: Any) -> None:
        if record.kind in ("post", "ephemeral") and record.thread_ts:
            with self.lock:
                self.seen.append((time.time(), record))

    def since(self, index: int) -> list[tuple[float, Any]]:
        with self.lock:
            return self.seen[index:]


def run_once(
    loader: ProcessPoolExecutor,
    answers: Answers,
    srv: Server,
    secret: str,
    text: str,
    rate: float,
    duration: float,
    first: int,
    grace: float,
) -> Figures:
    mark = len(answers.seen)
    srv.watch()
    began = time.time()
    results = loader.submit(fire, srv.port, secret, text, rate, duration, first).result()
    cpu = srv.cpu_since_watch() / max(time.time() - began, 1e-9)
    sending_ended = max(sent for _, sent, _, _ in results)
    sending_started = min(sent for _, sent, _, _ in results)
    ours = {ts: sent for ts, sent, _, _ in results}
    # Wait for the answers still coming: until everything is answered or a second passes
    # with none, within the grace period.
    deadline = time.time() + grace
    count, quiet_since = -1, time.time()
    while time.time() < deadline:
        got = sum(1 for _, r in answers.since(mark) if r.thread_ts in ours)
        if got >= len(ours):
            break
        if got != count:
            count, quiet_since = got, time.time()
        elif time.time() - quiet_since > 2.0:
            break
        time.sleep(0.1)
    first_answer: dict[str, tuple[float, Any]] = {}
    for at, record in answers.since(mark):
        if record.thread_ts in ours and record.thread_ts not in first_answer:
            first_answer[record.thread_ts] = (at, record)
    busy = sum(1 for _, r in first_answer.values() if BUSY_WORDS in r.text)
    in_window = sum(1 for at, _ in first_answer.values() if at <= sending_ended)
    acks = [ack for _, _, ack, status in results if ack is not None and status == "200"]
    errors = len(results) - len(acks)
    failed = {ts for ts, _, ack, status in results if ack is None or status != "200"}
    return Figures(
        sent=len(results),
        acks=acks,
        errors=errors,
        answered_per_s=in_window / max(sending_ended - sending_started, 1e-9),
        answered=len(first_answer),
        busy=busy,
        silent=len(set(ours) - set(first_answer) - failed),
        answer_s=[
            at - ours[ts]
            for ts, (at, record) in first_answer.items()
            if BUSY_WORDS not in record.text
        ],
        rss_mb=srv.peak_rss_mb,
        cpu=cpu,
        load=os.getloadavg()[0],
    )


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rates", default="50,100,200", help="requests per second, comma separated"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per run")
    parser.add_argument("--grace", type=float, default=15.0, help="seconds to wait for answers")
    parser.add_argument("--texts", default="help,endpoints", help=f"of {', '.join(TEXTS)}")
    parser.add_argument("--only", choices=("chatops", "bare"), help="run one server only")
    parser.add_argument(
        "--env", action="append", default=[], help="KEY=VALUE for chatops run (repeatable)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per text, rate and server, interleaved"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME:KEY=VALUE[,KEY=VALUE]: also run chatops with these settings (repeatable)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    texts = [t.strip() for t in args.texts.split(",")]
    kinds = [args.only] if args.only else ["bare", "chatops"]
    variants: dict[str, dict[str, str]] = {"bare": {}, "chatops": {}}
    for spec in args.variant:
        name, _, pairs = spec.partition(":")
        variants[name] = dict(p.split("=", 1) for p in pairs.split(",") if p)
        kinds.append(name)

    from benchmarks.aws_sandbox import start as start_aws
    from bot.sandbox.slack_api import SlackStandIn

    token = "xoxb-bench-" + secrets.token_hex(6)
    secret = secrets.token_hex(16)
    slack = SlackStandIn(token).start()
    answers = Answers()
    slack.subscribe(answers)
    aws, aws_url = start_aws()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHATOPS_", "SLACK_", "AWS_"))}
    base.update(
        {
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": secret,
            "CHATOPS_SLACK_API_URL": slack.url,
            "CHATOPS_AWS_ENDPOINT_URL": aws_url,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "CHATOPS_BOT_CHANNELS": CHANNEL,
            "CHATOPS_PRICE_LIST_API": "false",
            "CHATOPS_LOG_LEVEL": "WARNING",
        }
    )
    for item in args.env:
        key, _, value = item.partition("=")
        base[key] = value
    loader = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
    loader.submit(time.time).result()  # the load process is up before the first run
    kept = f"; logs in {workdir}" if args.keep_logs else ""
    print(f"{os.cpu_count()} cores; {args.duration:.0f} s of load per run{kept}")
    if args.env:
        print("chatops run with " + " ".join(args.env))
    results: dict[tuple[str, float, str], list[Figures]] = {}
    try:
        if "chatops" in kinds:
            run_dir = workdir / "idle"
            run_dir.mkdir()
            readies, rsses = [], []
            for _ in range(3):
                with server("chatops", base, run_dir) as idle:
                    readies.append(idle.ready_s)
                    rsses.append(idle.idle_rss_mb)
            print(
                f"chatops run, idle: start to ready {statistics.median(readies):.2f} s "
                f"(median of 3; target <= 1 s), resident memory {statistics.median(rsses):.0f} MB "
                "(target <= 120 MB)"
            )
        print()
        print(HEADER)
        first = 0
        for text in texts:
            for rate in rates:
                for attempt in range(args.repeat):
                    for kind in kinds:
                        run_dir = workdir / f"{kind}-{text}-{rate:.0f}-{attempt}"
                        run_dir.mkdir()
                        with server(kind, base | variants[kind], run_dir) as srv:
                            figures = run_once(
                                loader,
                                answers,
                                srv,
                                secret,
                                TEXTS[text],
                                rate,
                                args.duration,
                                first,
                                args.grace,
                            )
                        first += figures.sent
                        results.setdefault((text, rate, kind), []).append(figures)
                        print(f"{rate:5.0f} {text:<10} {kind:<8.8} {figures.row()}", flush=True)
        print()
        for text, rate in (("endpoints", 50.0), ("help", 200.0)):
            ours, bare = results.get((text, rate, "chatops")), results.get((text, rate, "bare"))
            if ours is None or bare is None:
                continue
            p99 = statistics.median(Figures.pct(f.acks, 0.99) for f in ours)
            bare_p99 = statistics.median(Figures.pct(f.acks, 0.99) for f in bare)
            late = sum(1 for f in ours for a in f.acks if a > SLACK_LIMIT_S)
            runs = f"median of {len(ours)} runs" if len(ours) > 1 else "one run"
            print(
                f"target, {text} at {rate:.0f} req/s ({runs}): ack p99 {p99 * 1000:.1f} ms = "
                f"{p99 / bare_p99:.2f} x bare Bolt's {bare_p99 * 1000:.1f} ms (target <= 1.3 x "
                f"and < 500 ms); acks past 3 s: {late}; silent: {sum(f.silent for f in ours)}"
            )
    finally:
        loader.shutdown()
        aws.terminate()
        aws.wait()
        slack.stop()
        if not args.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
