"""How fast Slack gets its ack, and how much memory the bot holds (prints figures; asserts nothing).

    python benchmarks/bench_ack.py [N]

Signed Slack requests go through the real Bolt app in the sandbox; the ack time is
how long ``App.dispatch`` takes to return (Slack's limit is 3 s), while the answer
is still being worked on in the background.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from bot.sandbox import Sandbox

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    start = time.perf_counter()
    with Sandbox(scale=0, traffic=False, start_follower=False) as box:
        print(
            f"sandbox start-up (moto server, demo account, Bolt app): {time.perf_counter() - start:.2f} s"
        )
        driver = box.driver
        assert driver is not None
        acks: dict[str, list[float]] = {"message": [], "command": []}
        answered = []
        texts = [
            "are my endpoints healthy",
            "how is training going",
            "help",
            "list jobs",
            "are we over budget?",
        ]
        for i in range(n):
            text = texts[i % len(texts)]
            t0 = time.perf_counter()
            driver.message("U0ALICE", text)
            acks["message"].append(driver.last_ack_ms)
            driver.command("U0BOB", "jobs training")
            acks["command"].append(driver.last_ack_ms)
            driver.settle()
            answered.append((time.perf_counter() - t0) * 1000)
        for kind, values in acks.items():
            values.sort()
            print(
                f"ack of a {kind}: p50 {statistics.median(values):.1f} ms, "
                f"p99 {values[int(0.99 * (len(values) - 1))]:.1f} ms, max {values[-1]:.1f} ms over {len(values)}"
            )
        answered.sort()
        print(
            f"both answered (Lex + AWS + Slack post, moto on loopback): p50 {statistics.median(answered):.0f} ms, "
            f"p99 {answered[int(0.99 * (len(answered) - 1))]:.0f} ms"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the whole process (bot + moto + sandbox): {rss:.0f} MB")


if __name__ == "__main__":
    main()
