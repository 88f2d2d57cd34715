"""The sandbox's AWS in a process of its own: moto's server on loopback, the sandbox's
moto extension, and the demo account seeded, for benchmarks that run the bot as a
separate process (``chatops run`` with ``CHATOPS_AWS_ENDPOINT_URL``).

    python benchmarks/aws_sandbox.py [--port 0]

Prints one line, ``ready http://127.0.0.1:<port>``, once the account is seeded, then
serves until its standard input closes (so it never outlives the benchmark that started
it) or it is terminated. :func:`start` does that from Python and returns the URL.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CREDENTIALS = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}


def serve(port: int) -> None:
    from moto.server import ThreadedMotoServer

    from bot.sandbox import OFFLINE_UNAVAILABLE, moto_ext, seed
    from intents.clients import AwsClients

    moto_ext.install(scale=0)  # jobs and endpoints reach their final status at once
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    url = f"http://{host}:{bound}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
    moto_ext.reset()
    aws = AwsClients(
        seed.REGION, endpoint_url=url, credentials=CREDENTIALS, unavailable=OFFLINE_UNAVAILABLE
    )
    seed.seed(aws)
    print(f"ready {url}", flush=True)
    try:
        sys.stdin.read()  # until the parent goes away
    finally:
        server.stop()


def start() -> tuple[subprocess.Popen[str], str]:
    """Start the seeded moto server in a child process; returns it and its URL."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="sandbox", AWS_SECRET_ACCESS_KEY="sandbox")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--port", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("ready "):
        process.kill()
        raise RuntimeError(f"the moto server did not start: {line!r}")
    return process, line.removeprefix("ready ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    serve(parser.parse_args().port)


if __name__ == "__main__":
    main()
