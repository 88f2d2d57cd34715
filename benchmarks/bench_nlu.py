"""Local Lex runtime: start-up time and per-message latency (prints figures; asserts nothing).

python benchmarks/bench_nlu.py [FILE.jsonl]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    # Start-up in a fresh interpreter, as the bot pays it: import + build from bot.toml.
    code = (
        "import time; t=time.perf_counter(); from lex.local import LocalLexRuntime; "
        "LocalLexRuntime(); print(time.perf_counter()-t)"
    )
    runs = [
        float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT)) for _ in range(5)
    ]
    print(
        f"start-up (import + build), 5 fresh processes: median {statistics.median(runs) * 1000:.0f} ms, "
        f"max {max(runs) * 1000:.0f} ms"
    )

    from lex.evaluate import load_examples
    from lex.local import LocalLexRuntime

    runtime = LocalLexRuntime()
    model = runtime.nlu.model
    print(
        "learned model: "
        + (f"{len(model.weights)} features, {model.config}" if model else "none (utterances only)")
    )
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "lex/data/nlu_dev.jsonl"
    texts = [e.text for e in load_examples(path)]
    timings = []
    for rep in range(5):
        for i, text in enumerate(texts):
            start = time.perf_counter()
            try:
                runtime.recognize_text(sessionId=f"bench-{rep}-{i}", text=text)
            except Exception:
                pass
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        f"recognize_text over {len(timings)} messages: p50 {statistics.median(timings):.3f} ms, "
        f"p99 {timings[int(0.99 * (len(timings) - 1))]:.3f} ms, max {timings[-1]:.3f} ms"
    )


if __name__ == "__main__":
    main()
