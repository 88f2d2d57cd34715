"""The yardstick for bench_load.py: a bare Bolt app on the bot's own HTTP server.

Reads the same environment as ``chatops run`` (``SLACK_BOT_TOKEN``,
``SLACK_SIGNING_SECRET``, ``CHATOPS_SLACK_API_URL``, ``CHATOPS_PORT``) and answers
each message with one ``chat.postMessage`` in its thread, the way a minimal Bolt app
does: Bolt acknowledges the event, then runs the listener on its executor. It is
served exactly as ``chatops run`` serves the bot (bot.slack.http.serve: signature
checked first, then Bolt; waitress with the same threads).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.slack.http import serve

    token = os.environ["SLACK_BOT_TOKEN"]
    secret = os.environ["SLACK_SIGNING_SECRET"]
    client = WebClient(token=token, base_url=os.environ["CHATOPS_SLACK_API_URL"])
    app = App(signing_secret=secret, client=client, process_before_response=False)

    @app.event("message")
    def answer(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(
            channel=event["channel"], thread_ts=event.get("ts"), text="Here is your answer."
        )

    serve(app, secret, int(os.environ["CHATOPS_PORT"]))


if __name__ == "__main__":
    main()
