"""The assistant on AWS Lambda: the handler is ``bot.aws_lambda.handler``.

One function takes Slack's requests (API Gateway or a function URL), SageMaker's state
changes (EventBridge), report schedules and a periodic sweep (EventBridge Scheduler);
``deploy/template.yaml`` wires them up. Importing this package is cheap: the bot is built
on the first invocation that needs it.
"""

from __future__ import annotations

from bot.aws_lambda.entry import Entry, handler

__all__ = ["Entry", "handler"]
